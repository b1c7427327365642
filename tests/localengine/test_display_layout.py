"""Values, diffs, outputs and the summary laid out as the Pulumi CLI's display code lays them out.

Each expectation is built from what pulumi/pulumi `pkg/backend/display/object_diff.go` (the property printer)
and `pkg/backend/display/diff.go` (renderSummaryEvent) do, quoted in the comments; none is copied from our
own output. The engine-level checks of a replace (preview `--json`, event log) are against Pulumi's field
names and kinds (`pkg/display/json.go` PreviewStep, `sdk/go/common/apitype/events.go`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from localengine.deployment import StepEvent
from localengine.display import Display, go_duration, step_diff_lines
from localengine.display_values import diff_lines, go_quote, object_lines, stack_output_lines
from localengine.engine import Engine
from localengine.props import UNKNOWN, make_secret
from localengine.state import ResourceState
from localengine.step_diff import engine_detailed_diff
from tests.localengine.conftest import FixtureStack
from tests.localengine.test_event_log import of_kind, read_events

# apitype.DiffKind's values (events.go) and the fields of a preview digest's step (pkg/display/json.go).
DIFF_KINDS = {"add", "add-replace", "delete", "delete-replace", "update", "update-replace"}
PREVIEW_STEP_FIELDS = {"op", "urn", "provider", "oldState", "newState", "diffReasons", "replaceReasons"}
PREVIEW_STEP_FIELDS |= {"detailedDiff"}


def test_strings_print_go_quoted_on_one_line_even_with_several_lines() -> None:
    # printPrimitivePropertyValue: `p.writef("%q", v.StringValue())`, Go's quoting: \n, \t, \" escaped,
    # printable Unicode kept, control characters as \x.. .
    assert go_quote('a\nb\t"c" é\x01') == '"a\\nb\\t\\"c\\" é\\x01"'
    assert stack_output_lines({"notes": "first\nsecond"}, None, preview=False) == [
        '    notes: "first\\nsecond"'
    ]


def test_keys_are_sorted_padded_and_empty_or_internal_values_left_out() -> None:
    # printPropertyTitle: `"%-" + align + "s: "` with align the longest key (maxKey); StableKeys sorted;
    # shouldPrintPropertyValue skips null, "", [] and {}; numbers that are integers print without a point,
    # booleans as true/false, secrets [secret], unknowns [unknown].
    outputs = {"url": "u", "replicas": 2.0, "ratio": 0.5, "on": True, "empty": "", "none": None, "list": []}
    outputs |= {"password": make_secret("hunter2"), "later": UNKNOWN}
    assert stack_output_lines(outputs, None, preview=True) == [
        "    later   : [unknown]",
        "    on      : true",
        "    password: [secret]",
        "    ratio   : 0.5",
        "    replicas: 2",
        '    url     : "u"',
    ]


def test_objects_and_lists_are_blocks_closed_at_their_key_s_indentation() -> None:
    # printPropertyValueRecurse: an object is "{\n", its properties one level in, then "}" unprefixed at
    # the opening indentation; a list "[\n", each element `"    [%d]: "` and its value one level in, "]".
    value = {"db": {"host": "h", "password": make_secret("x"), "ports": [5432, {"tls": False}]}}
    assert object_lines(value, 1) == [
        "    db: {",
        '        host    : "h"',
        "        password: [secret]",
        "        ports   : [",
        "            [0]: 5432",
        "            [1]: {",
        "                tls: false",
        "            }",
        "        ]",
        "    }",
    ]


def test_json_and_multi_line_yaml_documents_print_decoded() -> None:
    # decodeValue: a string that is a whole JSON document (or, only if it has several lines, a YAML one)
    # holding an object or a list prints as `(json) ` / `(yaml) ` and the value; the decoded value's line is
    # ended twice (printPropertyValue inside printPrimitivePropertyValue, then its caller), so an empty
    # line follows. A one-line "a: b" is not YAML-decoded; a JSON scalar stays a string.
    outputs = {"cfg": '{"b": [1], "a": "x"}', "doc": "name: web\nport: 80\n", "pair": "a: b", "num": "42"}
    assert stack_output_lines(outputs, None, preview=False) == [
        "    cfg : (json) {",
        '        a: "x"',
        "        b: [",
        "            [0]: 1",
        "        ]",
        "    }",
        "",
        "    doc : (yaml) {",
        '        name: "web"',
        "        port: 80",
        "    }",
        "",
        '    num : "42"',
        '    pair: "a: b"',
    ]


def test_a_diff_marks_each_line_and_the_properties_that_force_a_replacement() -> None:
    # printObjectPropertyDiff: adds `+ `, deletes `- `, updates `~ ` in the last two columns of the
    # indentation (getIndentationString); a primitive update `old => new`, a string's `"old" => "new"`;
    # a list update lists its elements two levels in, titled one level in; "# forces replacement" ends
    # the last line of a replace key (writeReplaceAnnotation); internal `__` keys are ignored.
    old = {"size": 1, "region": "eu", "tags": ["a"], "gone": "x", "__provider": "p1", "same": "s"}
    new = {"size": 3, "region": "us", "tags": ["a", "b"], "label": "y", "__provider": "p2", "same": "s"}
    assert diff_lines(old, new, 2, replace_keys=["region", "tags"]) == [
        '      - gone  : "x"',
        '      + label : "y"',
        '      ~ region: "eu" => "us" # forces replacement',
        '        same  : "s"',
        "      ~ size  : 1 => 3",
        "      ~ tags  : [",
        '            [0]: "a"',
        '          + [1]: "b"',
        "        ] # forces replacement",
    ]
    # With the step's diffs as the include set, only those keys are shown and padded.
    assert diff_lines(old, new, 2, include=["size", "label"]) == [
        '      + label: "y"',
        "      ~ size : 1 => 3",
    ]


def test_a_multi_line_string_update_is_a_line_diff_with_two_lines_of_context() -> None:
    # printTextDiff/printLineDiff: several lines -> after the title a line break, then one level in: the
    # removed lines `- `, the added `+ `, unchanged lines plain; an unchanged run at the start keeps its
    # last two lines after "...", at the end its first two before "...", in the middle two each side of
    # "..."; blank lines are skipped.
    old = "l1\nl2\nl3\nl4\nold\nm1\nm2\nm3\nm4\nm5\nm6\nnew-old\ne1\n\ne2\ne3\ne4\n"
    new = "l1\nl2\nl3\nl4\nnew\nm1\nm2\nm3\nm4\nm5\nm6\nnew-new\ne1\n\ne2\ne3\ne4\n"
    assert diff_lines({"script": old}, {"script": new}, 1) == [
        "  ~ script: ",
        "        ...",
        "        l3",
        "        l4",
        "      - old",
        "      + new",
        "        m1",
        "        m2",
        "        ...",
        "        m5",
        "        m6",
        "      - new-old",
        "      + new-new",
        "        e1",
        "        e2",
        "        ...",
    ]


def test_stack_outputs_show_their_diff_all_of_them_on_up_only_changes_in_a_preview() -> None:
    # getResourceOutputsPropertiesString on the root stack: with old outputs, their diff; during an update
    # the unchanged ones too (showSames forced for the stack), in a preview not, and an update to a value
    # only unknown yet is dropped (massageStackPreviewOutputDiff); no change in a preview: nothing.
    old = {"url": "https://a", "name": "web", "gone": 1, "id": "x"}
    new = {"url": "https://b", "name": "web", "added": make_secret("s"), "id": UNKNOWN}
    assert stack_output_lines(new, old, preview=False) == [
        "  + added: [secret]",
        "  - gone : 1",
        '  ~ id   : "x" => [unknown]',
        '    name : "web"',
        '  ~ url  : "https://a" => "https://b"',
    ]
    assert stack_output_lines(new, old, preview=True) == [
        "  + added: [secret]",
        "  - gone : 1",
        '  ~ url  : "https://a" => "https://b"',
    ]
    assert stack_output_lines({"name": "web", "id": UNKNOWN}, {"name": "web", "id": "x"}, preview=True) == []
    # An update with none changed lists them plainly.
    assert stack_output_lines({"name": "web"}, {"name": "web"}, preview=False) == ['    name: "web"']


def test_the_summary_totals_only_several_kinds_and_times_only_an_update() -> None:
    # renderSummaryEvent: a line per kind ("    %s%d %s%s", the op's two-column prefix), "N changes"
    # only when changeKindCount >= 2, "M unchanged" when any, joined by ". "; Duration (rounded up, Go's
    # time.Duration) only when not a preview, after an empty line; the section ends with an empty line.
    def summary(counts: dict[str, int], preview: bool) -> list[str]:
        out = io.StringIO()
        display = Display(out, preview=preview)
        display.counts.update(counts)
        display.summary(failed=False)
        return out.getvalue().splitlines()

    assert summary({"replace": 1, "same": 3}, True) == [
        "Resources:",
        "    +-1 to replace",
        "    3 unchanged",
        "",
    ]
    lines = summary({"create": 2, "update": 1, "same": 1}, False)
    assert lines[:5] == ["Resources:", "    + 2 created", "    ~ 1 updated", "    3 changes. 1 unchanged", ""]
    assert lines[5] in ("Duration: 0s", "Duration: 1s") and lines[6:] == [""]
    assert summary({}, True) == ["Resources:", ""]
    assert [go_duration(s) for s in (0, 59, 65, 3601)] == ["0s", "59s", "1m5s", "1h0m1s"]


def test_diff_view_of_a_replace_shows_its_changed_inputs_and_marks_the_replace_keys() -> None:
    # getResourcePropertiesDetails: old and new inputs diffed (printOldNewDiffs), include = the step's
    # diffs, replaceKeys the step's keys for a replacement; a create shows its inputs plainly.
    urn = "urn:pulumi:dev::p::toy:index:Thing::a"
    old = ResourceState(
        type="toy:index:Thing", urn=urn, custom=True, inputs={"region": "eu", "size": 1, "name": "a"}
    )
    new = ResourceState(
        type="toy:index:Thing", urn=urn, custom=True, inputs={"region": "us", "size": 1, "name": "a"}
    )
    event = StepEvent("replace", urn, old.type, old=old, new=new, diff_reasons=["region"])
    event.replace_reasons = ["region"]
    assert step_diff_lines(event) == ['      ~ region: "eu" => "us" # forces replacement']
    assert step_diff_lines(StepEvent("create", urn, old.type, new=new)) == [
        '        name  : "a"',
        '        region: "us"',
        "        size  : 1",
    ]


def test_a_replace_without_provider_detail_gets_the_inputs_diff_with_its_replace_keys_marked() -> None:
    old = {"region": "eu", "size": 1, "meta": {"owner": "x"}, "zone": "a"}
    new = {"region": "us", "size": 2, "meta": {"owner": "y"}, "zone": "a"}
    kinds = {
        p: (d.kind, d.input_diff) for p, d in (engine_detailed_diff(old, new, ["meta", "zone"]) or {}).items()
    }
    # Every path under a replace key is *-replace; a replace key whose inputs did not change (the provider
    # compared its recorded outputs) is update-replace with inputDiff false.
    assert kinds == {
        "meta.owner": ("update-replace", True),
        "region": ("update", True),
        "size": ("update", True),
        "zone": ("update-replace", False),
    }
    assert engine_detailed_diff({"a": 1}, {"a": 1}) is None


def test_preview_json_and_event_log_of_a_replace_carry_replace_reasons_and_detail(
    fixture_stack: FixtureStack, tmp_path: Path
) -> None:
    fixture_stack.things({"name": "a"})
    assert fixture_stack.up().ok
    fixture_stack.things({"name": "a", "region": "us", "size": 2})
    log = tmp_path / "events.jsonl"
    engine = Engine(fixture_stack.root, "dev", out=fixture_stack.output, event_log=log)
    result = engine.up(preview=True, json_output=True)
    assert result.ok and result.digest is not None
    step = next(s for s in result.digest["steps"] if s["urn"].endswith("::a"))
    assert set(step) <= PREVIEW_STEP_FIELDS
    assert step["op"] == "replace" and step["replaceReasons"] == ["region"]
    assert sorted(step["diffReasons"]) == ["region", "size"]
    assert step["detailedDiff"] == {
        "region": {"kind": "update-replace", "inputDiff": True},
        "size": {"kind": "update", "inputDiff": True},
    }
    # The event log: the replacement's create (not a logical step) then the logical replace, each with
    # the keys that force it and the detail under events.go's names.
    pre = [
        e["metadata"]
        for e in of_kind(read_events(log), "resourcePreEvent")
        if e["metadata"]["urn"].endswith("::a")
    ]
    assert [m["op"] for m in pre] == ["create-replacement", "replace"]
    assert [m.get("logical", False) for m in pre] == [False, True]
    for metadata in pre:
        assert metadata["keys"] == ["region"]
        assert {d["diffKind"] for d in metadata["detailedDiff"].values()} <= DIFF_KINDS
        assert metadata["detailedDiff"]["region"] == {"diffKind": "update-replace", "inputDiff": True}
    json.dumps(result.digest)  # the digest is plain JSON
