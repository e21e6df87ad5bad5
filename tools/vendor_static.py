"""Copy the front-end libraries listed in tools/package.json into the committed static folder.

Run after `npm install` in tools/ when upgrading a library; CI and production never run npm.
"""

import re
import shutil
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
MODULES = TOOLS / "node_modules"
TARGET = TOOLS.parent / "src" / "rapport" / "web" / "static" / "vendor"

FILES = {
    "bootstrap": ["dist/css/bootstrap.min.css", "dist/js/bootstrap.bundle.min.js", "LICENSE"],
    "bootstrap-icons": [
        "font/bootstrap-icons.min.css",
        "font/fonts/bootstrap-icons.woff2",
        "LICENSE",
    ],
    "tom-select": [
        "dist/js/tom-select.complete.min.js",
        "dist/css/tom-select.bootstrap5.min.css",
        "LICENSE",
    ],
    "sortablejs": ["Sortable.min.js", "LICENSE"],
    "echarts": [
        "dist/echarts.min.js",
        "i18n/langRU.js",
        "i18n/langUK.js",
        "i18n/langLV.js",
        "LICENSE",
    ],
}


def main() -> None:
    for package, files in FILES.items():
        for name in files:
            source = MODULES / package / name
            relative = (
                Path(name).relative_to("font") if name.startswith("font/") else Path(name).name
            )
            destination = TARGET / package / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    icons = TARGET / "bootstrap-icons" / "bootstrap-icons.min.css"
    css = icons.read_text(encoding="utf-8")
    # Only the woff2 font is shipped; every browser we support reads it.
    css = re.sub(r',url\("fonts/bootstrap-icons\.woff\?[^)]*\) format\("woff"\)', "", css)
    css = css.replace('url("./fonts/', 'url("fonts/')
    icons.write_text(css, encoding="utf-8")


if __name__ == "__main__":
    main()
