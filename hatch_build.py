"""Build hook: compile the gettext catalogues (``.po`` → ``.mo``) into the wheel.

The ``.po`` files are the source, kept in git; the compiled ``.mo`` files are
not (``.gitignore``), so every build, editable ones included, compiles them
with Babel and adds them to the wheel as artifacts.  docs/languages.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogues(locale_dir: Path) -> list[Path]:
    """Write each ``.mo`` next to its ``.po`` under ``locale_dir``; the ``.mo`` paths."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written


class CompileCatalogues(BuildHookInterface):  # type: ignore[type-arg]
    """Compile the catalogues of ``src/<package>/locale`` before the wheel is built.

    The same file builds socialcrm and each network plugin (``plugins/*/hatch_build.py``
    are copies, checked identical by ``tests/i18n/test_plugins_catalogues.py``).
    """

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for locale_dir in sorted(root.glob("src/*/locale")):
            for mo in compile_catalogues(locale_dir):
                build_data["artifacts"].append(mo.relative_to(root).as_posix())
