"""The README's generated parts match the code, so the front door never drifts."""

import re

from golive import reference
from golive.graph import to_mermaid_components
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_has_a_description():
    assert reference.missing_descriptions() == []


def test_the_readme_configuration_table_is_the_generated_one():
    assert reference.markdown() in README, "regenerate with: python -m golive.reference"


def test_the_configuration_table_lists_every_top_level_key_of_the_prod_stack():
    from tests.conftest import stack_config

    keys = {key for key, _, _ in reference.rows()}
    for key in stack_config("prod").values:
        assert any(k == key or k.startswith(key + ".") for k in keys), key


def test_the_readme_picture_is_the_prod_stack_as_previewed(previews):
    preview = previews("prod")
    picture = to_mermaid_components(preview.result, preview.critical).strip()
    assert picture in README, "regenerate with: make readme"


def test_every_doc_the_readme_names_exists():
    for name in set(re.findall(r"`(docs/[a-z0-9-]+\.md)`", README)):
        assert (ROOT / name).is_file(), name
