"""Take the README's and the manuals' pictures afresh from a running server.

    make run                     # in another terminal; note the admin password
    .venv/bin/python scripts/readme_screenshots.py --password PW [--base http://127.0.0.1:8000]

Writes into docs/: summary.png (the top of the page on a desktop, 1400 px),
summary-phone.png (the whole page on a phone, 390 px, every unit folded),
summary-print-page1.png (the printed cover, A4) and series.png (a metric's
whole series), signed in as --user. Headless Debian Chromium; pdftoppm
(poppler-utils) for the cover.
"""

import argparse
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parents[1] / "docs"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def sign_in(context, base: str, user: str, password: str):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--year", default="2023-24")
    parser.add_argument("--series", default="CFSEU/charges-laid", help="UNIT/metric-code")
    args = parser.parse_args()
    summary = f"{args.base}/reports/{args.year}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)

        desktop = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = sign_in(desktop, args.base, args.user, args.password)
        page.goto(summary)
        page.screenshot(path=str(DOCS / "summary.png"))
        page.goto(f"{args.base}/metrics/{args.series}/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(DOCS / "series.png"))
        page.goto(summary)
        page.emulate_media(media="print")
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder) / "summary.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=True)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(DOCS / "summary-print-page1"),
                ],
                check=True,
            )
        desktop.close()

        phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        page = sign_in(phone, args.base, args.user, args.password)
        page.goto(summary)
        page.screenshot(path=str(DOCS / "summary-phone.png"), full_page=True)
        phone.close()
        browser.close()
    for name in ["summary.png", "series.png", "summary-print-page1.png", "summary-phone.png"]:
        print(DOCS / name)


if __name__ == "__main__":
    main()
