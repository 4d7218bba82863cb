"""The service worker (sw.js at the site root): offline reading of pages opened before.

Written from static/sw.js with two things only the build knows: a version,
the hash of every other output file, so that a new build replaces the caches
of the old one; and the pages kept at install (home, fields, contacts and the
offline page of each language), addressed relative to the worker, so the site
works at the root of a domain or under a sub-path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from thutuc.content.model import CONTACTS_PATH, HOME_PATH, OFFLINE_PATH, Site

SERVICE_WORKER_PATH = "sw.js"
SCRIPT_PATH = "site.js"
PROCEDURE_SCRIPT = "procedure.js"  # the checklist and read-aloud, for procedure pages


def precache_paths(site: Site) -> list[str]:
    """Pages a resident can open offline without having opened them before."""
    paths = [HOME_PATH, *(field.url_path for field in site.fields), CONTACTS_PATH, OFFLINE_PATH]
    return ["./" + path if path == "" else path for path in paths] + [SCRIPT_PATH, PROCEDURE_SCRIPT]


def build_version(files: Iterable[tuple[str, bytes]]) -> str:
    """A short hash of every output file's path and bytes, in a stable order."""
    digest = hashlib.sha256()
    for path, content in sorted(files):
        digest.update(path.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:12]


def offline_pages(site: Site) -> dict[str, str]:
    """The offline page of each language, by its folder ("" for Vietnamese): a page
    under en/ that cannot load shows en/offline/."""
    return {"": OFFLINE_PATH, **{x.path: x.path + OFFLINE_PATH for x in site.config.languages}}


def service_worker_js(template: str, site: Site, version: str) -> bytes:
    offline = offline_pages(site)
    precache = precache_paths(site) + [p for p in offline.values() if p != OFFLINE_PATH]
    script = (
        template.replace("__VERSION__", version)
        .replace("__PRECACHE__", json.dumps(precache))
        .replace("__OFFLINES__", json.dumps(offline, sort_keys=True))
    )
    return script.encode("utf-8")
