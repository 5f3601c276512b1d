"""The component package: it installs and imports on its own, describes itself to
every Pulumi language, and composes into programs other than the kit's."""

import ast
import contextlib
import dataclasses
import importlib.metadata
import importlib.util
import inspect
import json
import os
import re
import runpy
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from pulumi.provider.server import ComponentInitError

import components
import golive.program
from components import inputs
from golive.program import run_program
from tests.components.test_waf import deployed_rules
from tests.conftest import ROOT, one, run_components

COMPONENTS_DIR = ROOT / "components"
CORE_DIR = ROOT / "objectos_core"
SHIPPED = {"objectos_core"}  # installed with the components: the domain facts they build from
PROVIDER_MAIN = ROOT / "provider" / "__main__.py"
EXAMPLE = ROOT / "examples" / "waf-and-headers"
KIT_PACKAGES = ("settings", "golive", "policy", "components", "program", "testing")
IMPORT_TO_DISTRIBUTION = {
    "pulumi_aws": "pulumi-aws",
    "pulumi_kubernetes": "pulumi-kubernetes",
    "pulumi_random": "pulumi-random",
}

ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"


def component_classes() -> dict[str, type]:
    """Every ComponentResource defined in components/, found by reading the folder, not the package's own list."""
    found = {}
    for path in sorted(COMPONENTS_DIR.glob("*.py")):
        module = importlib.import_module(f"components.{path.stem}")
        for value in vars(module).values():
            if not (inspect.isclass(value) and value.__module__ == module.__name__):
                continue
            if issubclass(value, pulumi.ComponentResource):
                found[value.__name__] = value
    return found


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# --- (a) installed from the working tree into a fresh environment ----------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Any]:
    """The package built and installed from a copy of the working tree into a new virtual environment."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    for name in ("pyproject.toml", "docs/reuse.md"):  # what the build reads besides components/
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes((ROOT / name).read_bytes())
    for folder in (COMPONENTS_DIR, CORE_DIR):
        for path in folder.iterdir():
            if path.is_file() and path.suffix in (".py", ".typed"):
                (source / folder.name).mkdir(exist_ok=True)
                (source / folder.name / path.name).write_bytes(path.read_bytes())

    environment = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True)
    python = environment / "bin" / "python"
    site = Path(_run(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])", work).strip())
    # Pulumi and the cloud SDKs are large: instead of downloading them again, the new
    # environment sees this test runner's site-packages (pip and setuptools included)
    # through a .pth file. The package itself is installed into the new environment only.
    runner = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "test-runner.pth").write_text("\n".join(runner) + "\n")
    pip = [str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--quiet"]
    done = subprocess.run([*pip, str(source)], cwd=work, env=_clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {"python": python, "site": site, "work": work}


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "PULUMI_"))}
    return {**env, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def _run(python: Path, code: str, cwd: Path) -> str:
    done = subprocess.run([str(python), "-c", code], cwd=cwd, env=_clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


IMPORT_EVERYTHING = """
import json, sys
import pulumi
import objectos_components as package

names = [name for name in package.__all__ if name != "__version__"]
public = {name: getattr(package, name).__module__ for name in names}
hosted = [cls.__name__ for cls in package.all_components() if issubclass(cls, pulumi.ComponentResource)]
kit = sorted({name.split(".")[0] for name in sys.modules} & {"settings", "golive", "policy", "components", "program", "testing"})
core = sys.modules["objectos_core"].__file__
print(json.dumps({"file": package.__file__, "core": core, "version": package.__version__, "public": public,
                  "hosted": hosted, "kit": kit}))
"""


@pytest.fixture(scope="module")
def imported(installed) -> dict[str, Any]:
    """What the new environment sees when it imports every public name, run outside the working tree."""
    return json.loads(_run(installed["python"], IMPORT_EVERYTHING, installed["work"]))


def test_the_installed_package_is_the_one_in_the_new_environment(installed, imported):
    assert Path(imported["file"]).is_relative_to(installed["site"])
    assert Path(imported["core"]).is_relative_to(installed["site"])  # the facts ship with the components


def test_every_component_imports_from_the_installed_package(imported):
    assert sorted(imported["hosted"]) == sorted(component_classes())
    assert all(module.startswith(("objectos_components.", "objectos_core.")) for module in imported["public"].values())


def test_importing_the_components_imports_nothing_of_the_kit(imported):
    assert imported["kit"] == []


def test_the_installed_version_is_the_package_version_in_semver(installed, imported):
    dist = next(importlib.metadata.distributions(name="objectos-components", path=[str(installed["site"])]))
    assert dist.version == imported["version"] == components.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", dist.version)


def test_the_changelog_records_the_package_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(components.__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)


def runtime_imports(path: Path) -> set[str]:
    """Top-level names of the absolute imports a module runs (those under `if TYPE_CHECKING:` never run)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    return found


def test_the_dependency_ranges_admit_the_versions_the_kit_pins(installed):
    dist = next(importlib.metadata.distributions(name="objectos-components", path=[str(installed["site"])]))
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("#")[0].strip().split("==")
            pins[canonicalize_name(name)] = version
    required = [Requirement(text) for text in dist.requires or []]
    assert required
    for requirement in required:
        pinned = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(pinned), f"{requirement} does not admit the pinned {pinned}"
        next_major = f"{int(pinned.split('.')[0]) + 1}.0.0"
        assert not requirement.specifier.contains(next_major), f"{requirement} admits the next major version"


def test_the_package_requires_exactly_what_the_components_import(installed):
    dist = next(importlib.metadata.distributions(name="objectos-components", path=[str(installed["site"])]))
    required = {canonicalize_name(Requirement(text).name) for text in dist.requires or []}
    imported = {name for path in COMPONENTS_DIR.glob("*.py") for name in runtime_imports(path)}
    third_party = {name for name in imported if name not in sys.stdlib_module_names} - SHIPPED
    assert required == {canonicalize_name(IMPORT_TO_DISTRIBUTION.get(name, name)) for name in third_party}


def test_components_import_each_other_relatively_and_never_the_kit():
    for path in COMPONENTS_DIR.glob("*.py"):
        assert not runtime_imports(path) & set(KIT_PACKAGES), path.name


def test_the_core_imports_only_the_standard_library_and_itself():
    for path in CORE_DIR.glob("*.py"):
        outside = {name for name in runtime_imports(path) if name not in sys.stdlib_module_names}
        assert outside <= {"objectos_core"}, f"{path.name} imports {sorted(outside)}"


# --- (b) the schema other languages get -----------------------------------------------


@contextlib.contextmanager
def installed_as_package() -> Iterator[None]:
    """`objectos_components` importable as installing the package makes it: the components/ folder under that name."""
    if "objectos_components" in sys.modules:
        yield
        return
    spec = importlib.util.spec_from_file_location(
        "objectos_components", COMPONENTS_DIR / "__init__.py", submodule_search_locations=[str(COMPONENTS_DIR)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["objectos_components"] = module
    try:
        spec.loader.exec_module(module)
        yield
    finally:
        for name in [n for n in sys.modules if n == "objectos_components" or n.startswith("objectos_components.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def as_installed() -> Iterator[None]:
    """For this module's tests that need it, `objectos_components` as it is once installed."""
    with installed_as_package():
        yield


@pytest.fixture(scope="module")
def hosted(as_installed) -> dict[str, Any]:
    """What provider/__main__.py hands the component provider host, captured instead of serving."""
    import pulumi.provider.experimental as experimental

    calls: list[dict] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(experimental, "component_provider_host", lambda **kwargs: calls.append(kwargs))
        runpy.run_path(str(PROVIDER_MAIN), run_name="__main__")
    assert len(calls) == 1
    return calls[0]


@pytest.fixture(scope="module")
def provider(hosted):
    """The provider `pulumi package add` talks to, built in-process: it infers the schema from the annotations."""
    from pulumi.provider.experimental.component import ComponentProvider

    return ComponentProvider(hosted["components"], hosted["name"], hosted["namespace"], hosted["version"])


@pytest.fixture(scope="module")
def schema(provider) -> dict:
    return json.loads(provider.schema)


def test_the_plugin_declares_python_and_installs_the_package_from_the_repository():
    assert yaml.safe_load((ROOT / "provider" / "PulumiPlugin.yaml").read_text()) == {"runtime": "python"}
    lines = [line.strip() for line in (ROOT / "provider" / "requirements.txt").read_text().splitlines()]
    package_line = next(line for line in lines if line and not line.startswith(("#", "-c ")) and "==" not in line)
    assert ((ROOT / "provider" / package_line) / "pyproject.toml").is_file()


def test_the_schema_lists_every_component_under_the_package_name_and_version(schema):
    assert schema["name"] == "objectos"
    assert schema["version"] == components.__version__
    assert set(schema["resources"]) == {f"objectos:index:{name}" for name in component_classes()}


def test_every_component_in_the_schema_has_a_description_inputs_and_outputs(schema):
    for token, resource in schema["resources"].items():
        assert resource["isComponent"] is True
        assert resource.get("description"), token
        assert resource.get("inputProperties"), token
        assert resource.get("properties"), token


def test_every_input_and_output_in_the_schema_has_a_description(schema):
    for token, resource in schema["resources"].items():
        for kind in ("inputProperties", "properties"):
            for name, prop in resource[kind].items():
                assert prop.get("description"), f"{token} {kind}.{name}"


def test_every_nested_type_and_choice_in_the_schema_is_described(schema):
    for token, type_ in schema["types"].items():
        assert type_.get("description"), token
        for name, prop in type_.get("properties", {}).items():
            assert prop.get("description"), f"{token}.{name}"
        for member in type_.get("enum", []):
            assert member.get("description"), f"{token}.{member['name']}"


def test_an_input_is_required_in_the_schema_exactly_when_the_python_args_have_no_default(schema):
    for name, cls in component_classes().items():
        args = inspect.get_annotations(cls.__init__)["args"]
        no_default = {
            camel(f.name)
            for f in dataclasses.fields(args)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
        assert set(schema["resources"][f"objectos:index:{name}"].get("requiredInputs", [])) == no_default, name


def test_choices_are_enums_in_the_schema(schema):
    assert [m["value"] for m in schema["types"]["objectos:index:EdgeMode"]["enum"]] == ["cloudfront", "alb"]
    mode = schema["resources"]["objectos:index:HeaderPolicy"]["inputProperties"]["mode"]
    assert mode["$ref"] == "#/types/objectos:index:EdgeMode"


# --- construction from another language -------------------------------------------------
# The engine hands the provider the inputs by schema name, numbers as floats, choices as
# strings; the provider maps them to Python names and passes a dict in place of the Args.

WAF_INPUTS = {
    "aclName": "shop-prod",
    "scope": "REGIONAL",
    "region": "eu-west-1",
    "accountId": "123456789012",
    "auth": {"limit": 10.0},
    "write": {"limit": 60.0},
    "read": {"limit": 600.0, "windowSeconds": 300.0},
}
HEADER_INPUTS = {
    "headerSet": {"cors": {"origins": ["https://shop.example.com"]}},
    "mode": "cloudfront",
    "tlsReady": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
}


@pytest.fixture(scope="module")
def constructed(provider):
    def body():
        provider.construct("shop-waf", "objectos:index:WafRateLimits", WAF_INPUTS)
        provider.construct("shop-headers", "objectos:index:HeaderPolicy", HEADER_INPUTS)

    return run_components(body)


def test_a_component_built_from_schema_inputs_gets_them_as_typed_args(constructed):
    limits = {r["Name"]: r["Statement"]["RateBasedStatement"] for r in deployed_rules(constructed)}
    assert (limits["auth-rate-limit"]["Limit"], limits["auth-rate-limit"]["EvaluationWindowSec"]) == (10, 60)
    assert (limits["read-rate-limit"]["Limit"], limits["read-rate-limit"]["EvaluationWindowSec"]) == (600, 300)


def test_a_component_built_from_schema_inputs_keeps_the_python_defaults(constructed):
    log_group = one(constructed, "aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 365
    assert log_group.protect and log_group.retain_on_delete


def test_nested_schema_inputs_become_the_nested_python_types(constructed):
    policy = one(constructed, HEADERS_POLICY).inputs
    assert policy["corsConfig"]["accessControlAllowOrigins"]["items"] == ["https://shop.example.com"]
    assert policy["securityHeadersConfig"]["frameOptions"]["frameOption"] == "DENY"


def test_a_bad_schema_input_fails_with_the_python_message_naming_the_field(provider):
    bad = {**WAF_INPUTS, "read": {"limit": 600.0, "windowSeconds": 90.0}}
    with pytest.raises(ComponentInitError, match=r"RateLimit\.window_seconds is 90;"):
        run_components(lambda: provider.construct("shop-waf", "objectos:index:WafRateLimits", bad))


def test_a_fractional_number_where_a_whole_one_is_expected_is_refused_by_name(provider):
    bad = {**WAF_INPUTS, "logRetentionDays": 30.5}
    with pytest.raises(ComponentInitError, match=r"WafRateLimitsArgs\.log_retention_days must be a whole number"):
        run_components(lambda: provider.construct("shop-waf", "objectos:index:WafRateLimits", bad))


def test_args_from_a_dict_equal_args_built_in_python():
    from components.header_policy import HeaderPolicyArgs
    from objectos_core.headers import CorsPolicy, EdgeMode, HeaderSet

    built = HeaderPolicyArgs(
        header_set=HeaderSet(cors=CorsPolicy(origins=["https://shop.example.com"])),
        mode=EdgeMode.CLOUDFRONT,
        tls_ready="arn",
    )
    given = {
        "header_set": {"cors": {"origins": ["https://shop.example.com"]}},
        "mode": "cloudfront",
        "tls_ready": "arn",
    }
    assert inputs.args_of(HeaderPolicyArgs, given) == built


# --- (c) the example program ----------------------------------------------------------


PROJECT = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())


def example_values() -> dict[str, Any]:
    """The dev stack's config over the project's defaults, as the Pulumi CLI resolves them."""
    name = PROJECT["name"]
    values = {f"{name}:{key}": spec["default"] for key, spec in PROJECT["config"].items() if "default" in spec}
    values.update(yaml.safe_load((EXAMPLE / "Pulumi.dev.yaml").read_text())["config"])
    return values


def config_value(key: str) -> Any:
    return example_values()[f"{PROJECT['name']}:{key}"]


def run_example(**changes: Any):
    """The example under mocks, with these config values changed (needs the `as_installed` fixture)."""
    values = {**example_values(), **{f"{PROJECT['name']}:{key}": value for key, value in changes.items()}}
    config = {key: value if isinstance(value, str) else json.dumps(value) for key, value in values.items()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(golive.program, "PROJECT", PROJECT["name"])  # config keys are namespaced by the project
        return run_program("dev", config, [], program=EXAMPLE / "__main__.py")


@pytest.fixture(scope="module")
def example(as_installed):
    return run_example()


def test_the_example_attaches_the_web_acl_to_the_alb_it_is_given(example):
    association = one(example, ASSOCIATION)
    assert association.inputs["resourceArn"] == config_value("albArn")
    assert association.property_dependencies["webAclArn"] == [one(example, ACL).urn]


def test_the_example_web_acl_is_regional_with_the_configured_limits(example):
    acl = one(example, ACL).inputs
    assert acl["scope"] == "REGIONAL"
    rate = [r for r in deployed_rules(example) if "RateBasedStatement" in r["Statement"]]
    limits = {r["Name"]: r["Statement"]["RateBasedStatement"]["Limit"] for r in rate}
    assert limits == {
        "auth-rate-limit": config_value("authLimit"),
        "write-rate-limit": config_value("writeLimit"),
        "read-rate-limit": config_value("readLimit"),
    }


def test_the_example_headers_policy_carries_its_origins_and_hsts(example):
    policy = one(example, HEADERS_POLICY).inputs
    assert policy["corsConfig"]["accessControlAllowOrigins"]["items"] == config_value("corsOrigins")
    hsts = policy["securityHeadersConfig"]["strictTransportSecurity"]
    assert hsts["accessControlMaxAgeSec"] == config_value("hstsMaxAgeSeconds")
    assert example.outputs["responseHeadersPolicyId"], "the policy id to attach to the distribution is exported"


def test_the_example_composes_only_the_waf_and_the_header_policy(example):
    kit = {r.type for r in example.resources if r.type.startswith("objectos:")}
    assert kit == {"objectos:index:WafRateLimits", "objectos:index:HeaderPolicy"}
    assert not [r for r in example.resources if r.type.startswith(("kubernetes:", "aws:rds", "aws:elasticache"))]


def test_the_example_tags_every_aws_resource_that_takes_tags(example):
    tagged = [r for r in example.resources if r.custom and "tags" in r.inputs]
    assert tagged and all(r.inputs["tags"].get("objectos:stack") == "dev" for r in tagged)


def test_the_example_refuses_an_alb_outside_the_stack_region(as_installed):
    other = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/objectos/0123456789abcdef"
    with pytest.raises(ValueError, match="albArn is in us-west-2"):
        run_example(albArn=other)


def test_the_example_installs_the_package_from_this_repository_and_imports_it_by_its_package_name():
    lines = [line.strip() for line in (EXAMPLE / "requirements.txt").read_text().splitlines()]
    package_line = next(line for line in lines if line and not line.startswith(("#", "-c ")) and "==" not in line)
    assert ((EXAMPLE / package_line) / "pyproject.toml").is_file()
    tree = ast.parse((EXAMPLE / "__main__.py").read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
    assert "objectos_components" in modules and not modules & set(KIT_PACKAGES)
