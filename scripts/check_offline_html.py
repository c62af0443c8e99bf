"""Fail when an HTML page would load anything from the network: it must open offline, from a file.

    python scripts/check_offline_html.py [--fix] docs/index.html [more.html ...]

Checked: the URLs a browser fetches by itself (script/img/iframe/source/embed src, object data, link href of
stylesheets, fonts, icons, preloads and prefetches), CSS url(...)/@import in <style> blocks and style
attributes, module imports from a URL in <script> text, and asset URLs (.js .css .svg .png .woff2 ...) quoted in
<script> text, which a script may fetch at run time (Redoc's bundle renders its logo from its CDN that way).
A link a person may click (<a href>) and other URLs in script text (links to docs pages) pass.

--fix rewrites the asset URLs found in script text to `data:,` (an empty resource: the image fails to load and
Redoc hides its logo) before checking; references in tags cannot be fixed that way and still fail.
Exit status: 0 self-contained, 1 external references left (listed), 2 unreadable file.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

FETCHED_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# <link rel=...> values that make the browser fetch href (rel="canonical" or "license" do not)
FETCHED_LINK_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "prerender",
}
EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""", re.IGNORECASE)
# an asset URL quoted in script text ("https://cdn.example/logo.svg"): fetched when the script uses it
SCRIPT_ASSET = re.compile(
    r"""['"`]((?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/[^'"`\s]*\.(?:m?js|css|svg|png|jpe?g|gif|ico|webp|avif|woff2?|ttf|otf|eot))['"`]""",
    re.IGNORECASE,
)
# module imports in script text: `import x from "https://..."`, `import "https://..."`, `import("https://...")`
JS_IMPORT = re.compile(r"""\b(?:from|import)\s*\(?\s*['"`]((?:https?:)?//[^'"`\s]+)""")


class ExternalReferences(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.script_assets: set[str] = set()
        self.in_style = False
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        line = self.getpos()[0]
        names = list(FETCHED_ATTRIBUTES.get(tag, ()))
        if tag == "link" and FETCHED_LINK_RELS & set(values.get("rel", "").lower().split()):
            names.append("href")
        for name in names:
            for url in re.split(r",\s*", values.get(name, "")):
                if EXTERNAL.match(url):
                    self.found.append(f"line {line}: <{tag} {name}={url.split()[0]!r}>")
        for url in CSS_URL.findall(values.get("style", "")):
            self.found.append(f"line {line}: <{tag} style> url {url!r}")
        self.in_style = tag == "style"
        self.in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            for url in CSS_URL.findall(data):
                self.found.append(f"line {self.getpos()[0]}: <style> {url!r}")
        if self.in_script:
            imports = JS_IMPORT.findall(data)
            for url in imports:
                self.found.append(f"line {self.getpos()[0]}: <script> import {url!r}")
            for url in SCRIPT_ASSET.findall(data):
                if url not in imports:
                    self.script_assets.add(url)
                    self.found.append(f"line {self.getpos()[0]}: <script> asset {url!r}")


def scan(text: str) -> ExternalReferences:
    parser = ExternalReferences()
    parser.feed(text)
    parser.close()
    return parser


def check(path: Path, *, fix: bool = False) -> list[str]:
    text = path.read_text(encoding="utf-8")
    parser = scan(text)
    if fix and parser.script_assets:
        for url in sorted(parser.script_assets):
            count = len(re.findall(rf"""(?<=['"`]){re.escape(url)}(?=['"`])""", text))
            text = re.sub(rf"""(?<=['"`]){re.escape(url)}(?=['"`])""", "data:,", text)
            print(f"check-offline-html: {path}: replaced {count} x {url} with data:,")
        path.write_text(text, encoding="utf-8")
        parser = scan(text)
    return parser.found


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    names = [arg for arg in argv if arg != "--fix"]
    if not names or any(name.startswith("-") for name in names):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    status = 0
    for name in names:
        path = Path(name)
        try:
            found = check(path, fix=fix)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"check-offline-html: cannot read {path}: {exc}", file=sys.stderr)
            return 2
        if found:
            status = 1
            print(f"check-offline-html: {path} loads {len(found)} external resource(s):", file=sys.stderr)
            for item in found:
                print(f"  {item}", file=sys.stderr)
        else:
            print(f"check-offline-html: {path} is self-contained ({path.stat().st_size // 1024} KiB)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
