"""Screenshot pages of a running server in headless Debian Chromium.

    .venv/bin/python scripts/screenshot.py --user admin --password PW \
        http://127.0.0.1:8000/admin/reporting/figure/ out.png [URL OUT ...]

Logs in through the admin's login page first when --user is given.
"""

import argparse
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pairs", nargs="+", help="URL OUT.png [URL OUT.png ...]")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--login-path", default="/admin/login/", help="e.g. /accounts/login/")
    parser.add_argument("--paper", default="A4", help="A4 or Letter (with --pdf)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--pdf", action="store_true", help="print to PDF instead (OUT.pdf)")
    args = parser.parse_args()
    pairs = list(zip(args.pairs[::2], args.pairs[1::2], strict=True))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        if args.user:
            base = "{0.scheme}://{0.netloc}".format(urlsplit(pairs[0][0]))
            page.goto(f"{base}{args.login_path}")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", args.password)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_load_state()
        for url, out in pairs:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if args.pdf:
                page.pdf(path=out, format=args.paper, print_background=True)
            else:
                page.screenshot(path=out, full_page=args.full_page)
            print(out)
        browser.close()


if __name__ == "__main__":
    main()
