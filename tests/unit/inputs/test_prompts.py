import pytest

from workbench.errors import PromptError
from workbench.inputs import DEFAULT_FILES, PROMPT_ROLES, default_prompts_dir
from workbench.roles import SAMPLE_VARIABLES, load_prompts

ROOT_PROMPTS = default_prompts_dir()


def test_every_prompt_file_renders():
    prompts = load_prompts()
    assert set(prompts.prompts) == set(PROMPT_ROLES)
    for role in PROMPT_ROLES:
        key = "solver" if role in ("weak", "strong") else role
        text = prompts.render(role, **SAMPLE_VARIABLES[key])
        assert text.strip()


def test_every_file_in_prompts_dir_is_used():
    files = {p.name for p in ROOT_PROMPTS.glob("*.j2")}
    assert files == set(DEFAULT_FILES.values()) | {"mutator.j2"}  # mutator.j2: workbench evolve


def test_mutator_prompt_renders():
    from workbench.inputs._prompts import _compile, _render

    template = _compile("mutator", "mutator.j2", (ROOT_PROMPTS / "mutator.j2").read_text())
    text = _render(template, SAMPLE_VARIABLES["mutator"])
    b = SAMPLE_VARIABLES["mutator"]["boundary"]
    assert f'<prompt id="{b}">\n{{{{ document }}}}\n</prompt id="{b}">' in text and "0.50" in text


def test_challenger_shows_feedback_groups():
    text = load_prompts().render("challenger", **SAMPLE_VARIABLES["challenger"])
    for heading in ("TOO EASY", "FAILED ON STRONG", "FAILED QUALITY CHECK", "NOT SIGNIFICANT"):
        assert heading in text
    assert (
        "Generate an ENTIRELY NEW question from a DIFFERENT angle that requires deeper reasoning."
        in text
    )


def test_judge_never_sees_the_reference_answer():
    text = load_prompts().render("judge", **SAMPLE_VARIABLES["judge"])
    assert "reference_answer" not in text and "<reference" not in text


def test_missing_variable_names_file_and_variable(tmp_path):
    bad = tmp_path / "challenger.j2"
    bad.write_text("Document: {{ document }} {{ no_such_thing }}")
    with pytest.raises(PromptError) as info:
        load_prompts({"challenger": str(bad)})
    assert str(bad) in str(info.value) and "'no_such_thing'" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(PromptError, match="not found"):
        load_prompts({"judge": str(tmp_path / "nope.j2")})


def test_syntax_error_has_line_number(tmp_path):
    bad = tmp_path / "j.j2"
    bad.write_text("line\n{% if %}")
    with pytest.raises(PromptError, match=r"j\.j2:2: template syntax error"):
        load_prompts({"judge": str(bad)})


def test_override_by_python_string_and_hashes_change():
    default = load_prompts()
    custom = load_prompts(strings={"weak": "Q: {{ question }}\nC: {{ context }}"})
    assert custom.render("weak", context="c", question="q", notes=None) == "Q: q\nC: c\n"
    assert custom.hashes()["weak"] != default.hashes()["weak"]
    assert custom.hashes()["strong"] == default.hashes()["strong"]


def test_unknown_role():
    with pytest.raises(PromptError, match="unknown prompt role 'critic'"):
        load_prompts(strings={"critic": "x"})


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.system('touch {marker}') }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    ],
)
def test_templates_are_sandboxed(tmp_path, payload):
    """Prompt text can come from a model (evolve's mutator) or someone else's run directory."""
    marker = tmp_path / "pwned"
    text = "{{ document }} " + payload.replace("{marker}", str(marker))
    with pytest.raises(PromptError, match="does not render"):
        load_prompts(strings={"challenger": text})
    assert not marker.exists()


@pytest.mark.parametrize("body", ["{{ 1/0 }}", '{% include "x.j2" %}'])
def test_runtime_errors_in_a_template_are_one_line(body):
    with pytest.raises(PromptError, match="does not render"):
        load_prompts(strings={"judge": "{{ answer }} " + body})
