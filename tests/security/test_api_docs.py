"""Finding 6: the API reference loads no script from elsewhere and allows no inline script."""

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


async def test_the_api_reference_uses_only_our_own_scripts(client):
    page = await client.get("/schema")
    assert page.status_code == 200
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page.text)
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), "an inline script"
    policy = page.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", policy)[1]
    assert script_src.split() == ["'self'"], policy
    assert "http" not in policy
    for src in scripts:
        assert (await client.get(src)).status_code == 200, src


def test_the_vendored_bundle_is_the_one_its_source_note_names():
    folder = ROOT / "static" / "vendor" / "scalar"
    note = (folder / "SOURCE").read_text()
    assert "1.76.4" in note and (folder / "LICENSE").read_text().startswith("MIT License")
    digest = hashlib.sha256((folder / "standalone.js").read_bytes()).hexdigest()
    assert digest in note
