"""The teaching notebooks are tests: each one runs top to bottom, within its time budget, and is
stored without outputs.

Every "you should see ..." in a notebook is an ``assert`` in the same cell, so executing a notebook
checks it. The kernel is this interpreter's ipykernel (the venv's python), whatever kernel specs
the user has installed elsewhere; matplotlib draws off-screen (MPLBACKEND=Agg).

Exercises. A notebook's exercises are code cells tagged (cell metadata ``"tags"``) in this order:

- ``exercise``: the learner's cell, with a blank to fill in (``...`` or ``# YOUR CODE``);
- ``solution``: the same code filled in (markdown cells may come in between, code cells may not);
- ``check``: the asserts that the learner's answer must pass.

The notebooks run with the solutions in place. Each check must also be *real*: it has to fail when
the solution is missing. To test that without a second run of every notebook, the one execution
runs each check cell twice: once just before its solution cell (the kernel then holds everything
above it, the learner's blank included, and nothing of the solution: exactly the state of a run
with that solution skipped), where it must raise, and once in its place, where it must pass. The
early run of a check is not charged to the notebook's time budget. This works for any notebook in
notebooks/ that tags its cells this way, including ones added later. Because it runs twice, a check
cell must leave the kernel as it found it, or in the same state however often it runs (its own
random generator, not the notebook's; a reseed before building a model), so that the cells after it
see what a learner's run sees.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
BUDGET_SECONDS = 60.0  # per notebook, kernel start included (the plan aims for <= 30 s)
TAGS = ("exercise", "solution", "check")
BLANK = re.compile(r"(?<![\w.])\.\.\.(?![\w.])|YOUR CODE")  # an Ellipsis blank or a "# YOUR CODE" marker


def _ids(paths):
    return [p.stem for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """Committed code cells carry no outputs and no execution count (run `nbstripout notebooks/*.ipynb`)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, cell in enumerate(nb["cells"])
             if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs or an execution count; run nbstripout {path}"


# ---- exercises: exercise -> solution -> check ----

@dataclass
class Exercise:
    exercise: int  # cell indices
    solution: int
    check: int


def _role(cell) -> str | None:
    roles = [t for t in cell.get("metadata", {}).get("tags", []) if t in TAGS]
    if len(roles) > 1:
        raise ValueError(f"a cell has more than one of the tags {TAGS}: {roles}")
    return roles[0] if roles else None


def exercises(cells) -> list[Exercise]:
    """The notebook's exercises, from its cell tags; a ValueError says what breaks the pattern."""
    found, pending = [], {}
    expected = "exercise"
    for i, cell in enumerate(cells):
        role = _role(cell)
        if role is None:
            if cell["cell_type"] == "code" and expected != "exercise":
                raise ValueError(f"cell {i}: an untagged code cell between an exercise's cells "
                                 f"(expected a {expected!r} cell next)")
            continue
        if cell["cell_type"] != "code":
            raise ValueError(f"cell {i}: tagged {role!r} but it is a {cell['cell_type']} cell")
        if role != expected:
            raise ValueError(f"cell {i}: tagged {role!r}, expected a {expected!r} cell "
                             "(the order is exercise, solution, check)")
        pending[role] = i
        if role == "check":
            found.append(Exercise(pending["exercise"], pending["solution"], i))
        expected = {"exercise": "solution", "solution": "check", "check": "exercise"}[role]
    if expected != "exercise":
        raise ValueError(f"the last exercise has no {expected!r} cell")
    return found


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_exercise_parser() -> None:
    """The parser accepts the pattern and names what is wrong with a broken one."""
    def cell(kind, tag=None, src="x = 1"):
        return {"cell_type": kind, "metadata": {"tags": [tag]} if tag else {}, "source": src}

    good = [cell("code"), cell("code", "exercise"), cell("markdown"), cell("code", "solution"),
            cell("code", "check"), cell("code"), cell("code", "exercise"), cell("code", "solution"),
            cell("code", "check")]
    assert exercises(good) == [Exercise(1, 3, 4), Exercise(6, 7, 8)]
    broken = {
        "expected a 'solution'": [cell("code", "exercise"), cell("code", "check")],
        "untagged code cell": [cell("code", "exercise"), cell("code"), cell("code", "solution"), cell("code", "check")],
        "has no 'check'": [cell("code", "exercise"), cell("code", "solution")],
        "markdown cell": [cell("markdown", "exercise")],
    }
    for message, cells in broken.items():
        with pytest.raises(ValueError, match=message):
            exercises(cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_well_formed_exercises(path: Path) -> None:
    """At least one exercise per notebook; each leaves a blank, its solution fills it, its check asserts."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    try:
        found = exercises(cells)
    except ValueError as err:
        pytest.fail(f"{path.name}: {err}", pytrace=False)
    assert found, f"{path.name} has no exercise (code cells tagged 'exercise', 'solution', 'check')"
    for ex in found:
        assert BLANK.search(_source(cells[ex.exercise])), \
            f"{path.name}, cell {ex.exercise}: an exercise cell leaves a blank (`...` or `# YOUR CODE`)"
        assert "YOUR CODE" not in _source(cells[ex.solution]), \
            f"{path.name}, cell {ex.solution}: the solution still says YOUR CODE"
        assert "assert" in _source(cells[ex.check]), f"{path.name}, cell {ex.check}: a check cell asserts"


# ---- execution ----

@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """An environment whose `python3` kernel spec is this interpreter's ipykernel.

    JUPYTER_PATH is searched before the user's and the system's kernel directories, so a stale
    `python3` spec elsewhere (another python, another venv) cannot be picked up.
    """
    pytest.importorskip("ipykernel")
    from ipykernel.kernelspec import write_kernel_spec

    data_dir = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(data_dir / "kernels" / "python3")  # argv: [sys.executable, "-m", "ipykernel_launcher", ...]
    # PYTHONPATH: the kernel imports autograd/nn/optim from this working tree even if the venv's
    # editable install predates a package's __init__.py (setuptools then maps it as a namespace).
    # OPENBLAS_NUM_THREADS: the notebooks' matrices are small, and on a loaded 2-core machine several
    # BLAS threads per product can be many times slower than one, which the time budget would punish.
    env = {"JUPYTER_PATH": str(data_dir), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    _warm_up()
    yield env
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _client(nb, cwd: Path):
    from nbclient import NotebookClient

    return NotebookClient(nb, timeout=int(BUDGET_SECONDS), kernel_name="python3",
                          resources={"metadata": {"path": str(cwd)}})


def _execute(nb, cwd: Path):
    return _client(nb, cwd).execute()


def _warm_up() -> None:
    """Run the heavy imports and one Graphviz render once, untimed, so that a cold start on a fresh
    machine (bytecode compilation, font caches) is not charged to the first notebook's budget."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt, numpy, ipywidgets, autograd\n"
        "plt.plot([0, 1]); plt.title('warm-up'); plt.gcf().canvas.draw(); plt.close('all')\n"
        "try:\n"
        "    autograd.draw_graph(autograd.Value(1.0) * 2).pipe(format='svg')\n"
        "except RuntimeError:  # no Graphviz 'dot': draw_graph falls back to DOT text\n"
        "    pass")]
    _execute(nb, NOTEBOOK_DIR)


def test_kernel_is_this_python(kernel_env) -> None:
    """The notebooks run on the interpreter running the tests (the venv), not some other python."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys, os\nprint(sys.executable)\nprint(os.environ['MPLBACKEND'])")]
    out = _execute(nb, NOTEBOOK_DIR)
    printed = out.cells[0].outputs[0]["text"].split()
    assert Path(printed[0]).resolve() == Path(sys.executable).resolve()
    assert printed[1] == "Agg"


@dataclass
class Run:
    elapsed: float = 0.0            # seconds, without the early runs of the check cells
    error: str | None = None        # the failing cell's report, if the notebook failed
    failed_cell: int | None = None
    early_checks: dict = field(default_factory=dict)  # check cell -> exception name, or None if it passed


_RUNS: dict[Path, Run] = {}


def run_notebook(path: Path) -> Run:
    """Execute the notebook once (cached): every cell in order, and each exercise's check cell also
    just before its solution cell, where it is expected to raise."""
    if path in _RUNS:
        return _RUNS[path]
    import nbformat
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    early = {ex.solution: ex.check for ex in exercises(nb.cells)}
    client = _client(nb, NOTEBOOK_DIR)
    run = Run()
    start, untimed = time.perf_counter(), 0.0
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if index in early:  # the check, before its solution has run
                check, t0 = early[index], time.perf_counter()
                try:
                    client.execute_cell(copy.deepcopy(nb.cells[check]), check)
                    run.early_checks[check] = None
                except CellExecutionError as err:
                    run.early_checks[check] = err.ename
                untimed += time.perf_counter() - t0
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as err:  # the failing cell's traceback, not nbclient's internals
                run.error, run.failed_cell = str(err), index
                break
    run.elapsed = time.perf_counter() - start - untimed
    _RUNS[path] = run
    return run


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_within_budget(path: Path, kernel_env) -> None:
    """Execute the notebook (working directory notebooks/, solutions in place); any failing assert
    fails the test, and so does taking longer than BUDGET_SECONDS."""
    run = run_notebook(path)
    if run.error is not None:
        pytest.fail(f"{path.name} failed in cell {run.failed_cell}:\n{run.error}", pytrace=False)
    print(f"{path.name}: {run.elapsed:.1f} s")
    assert run.elapsed < BUDGET_SECONDS, f"{path.name} took {run.elapsed:.1f} s, over its {BUDGET_SECONDS:.0f} s budget"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_exercise_checks_fail_without_their_solution(path: Path, kernel_env) -> None:
    """Every check cell raises when run before its solution cell: the check tests the learner's answer."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = exercises(cells)
    if not found:
        pytest.skip(f"{path.name} has no exercises (test_notebook_has_well_formed_exercises reports it)")
    run = run_notebook(path)
    reached = [ex for ex in found if ex.check in run.early_checks]
    if run.error is not None and not reached:
        pytest.fail(f"{path.name} failed in cell {run.failed_cell} before its first exercise", pytrace=False)
    passing = [ex.check for ex in reached if run.early_checks[ex.check] is None]
    assert not passing, (f"{path.name}: the check cells {passing} pass without their solution cells; "
                         "a check must fail on the learner's blank")
    if run.error is None:
        assert len(reached) == len(found)
