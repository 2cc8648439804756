"""The class report opened in real headless Chromium (Debian's chromium and
chromium-driver, driven by selenium): no console errors, every plot visible with a
non-zero size, every link resolves; a screenshot is kept as a test artefact."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from grader.exports.class_report import write_class_report
from tests.report.synthetic import build_variants, class_data_of, make_class

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
    "chromium-driver)",
)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="report-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--window-size=1280,2000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    variants = build_variants("a2-by-hand", 60)
    students = sorted(variants)
    copies = {students[0]: (students[1], ("cross-correlation", "max-pool", "im2col"))}
    synthetic = make_class(variants, seed=4, copies=copies)
    feedback = {}
    for student in students:
        path = root / "graded" / "a2-by-hand" / student / "feedback.md"
        path.parent.mkdir(parents=True)
        path.write_text(f"# feedback of {student}\n", encoding="utf-8")
        feedback[student] = f"graded/a2-by-hand/{student}/feedback.md"
    data = class_data_of(synthetic, roster_extra=("absent1",), feedback=feedback)
    return write_class_report(root / "report.html", data), data


def test_the_page_loads_without_console_errors(browser, report_page):
    path, _ = report_page
    browser.get(path.as_uri())
    assert "class report" in browser.title
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_every_plot_is_visible_with_a_non_zero_size(browser, report_page):
    from selenium.webdriver.common.by import By

    browser.get(report_page[0].as_uri())
    plots = browser.find_elements(By.CSS_SELECTOR, "figure.plot svg")
    assert {p.find_element(By.XPATH, "..").get_attribute("id") for p in plots} == {
        "plot-scores", "plot-items", "plot-mistakes"}
    for plot in plots:
        browser.execute_script("arguments[0].scrollIntoView()", plot)
        assert plot.is_displayed()
        assert plot.size["width"] > 100 and plot.size["height"] > 50


def test_every_link_resolves_to_a_student_feedback_file(browser, report_page):
    from selenium.webdriver.common.by import By

    path, data = report_page
    browser.get(path.as_uri())
    links = browser.find_elements(By.CSS_SELECTOR, "a[href]")
    assert len(links) == len(data.rows)
    for link in links:
        target = Path(unquote(urlparse(link.get_attribute("href")).path))
        assert target.is_file(), target
    first = links[0].get_attribute("href")
    browser.get(first)
    assert "feedback of" in browser.find_element(By.TAG_NAME, "body").text


def test_the_copy_evidence_and_the_missing_student_are_on_the_page(browser, report_page):
    from selenium.webdriver.common.by import By

    path, data = report_page
    browser.get(path.as_uri())
    text = browser.find_element(By.TAG_NAME, "body").text
    copier, source = sorted(data.checks)[:2]
    assert f"{copier}'s answers fit {source}'s variant on 3 of 13 items" in text
    assert "absent1" in text


def test_a_screenshot_is_saved_as_a_test_artefact(browser, report_page, tmp_path):
    browser.get(report_page[0].as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    for target in (ARTIFACTS / "class-report.png", tmp_path / "class-report.png"):
        assert browser.save_screenshot(str(target))
        assert target.stat().st_size > 10_000
    shutil.copy(report_page[0], ARTIFACTS / "class-report.html")
