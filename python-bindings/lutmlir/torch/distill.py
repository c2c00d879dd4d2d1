"""Fine-tuning converted models: per-FFN output matching, then end to end."""
import torch
from torch import nn

from .lookup_ffn import LookupFFN
from .weightless import WeightlessFFN

LUT_LAYERS = (LookupFFN, WeightlessFFN)


def lut_layers(model):
    """{qualified name: layer} of the LUT layers in `model`."""
    return {n: m for n, m in model.named_modules() if isinstance(m, LUT_LAYERS)}


def _first_tensor(args):
    return args[0] if isinstance(args, tuple) else args


def _schedule(opt, schedule, total):
    """A per-step LR scheduler: "constant" or "cosine" (to 0 over `total`
    steps)."""
    if schedule == "constant":
        return None
    if schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(total, 1))
    raise ValueError(f"schedule must be 'constant' or 'cosine', not {schedule!r}")


def _count(batches, schedule):
    """Steps per pass, which a cosine schedule needs; 0 when unknown."""
    if schedule == "constant":
        return 0
    try:
        return len(batches)
    except TypeError:
        raise ValueError("schedule='cosine' needs batches with a len() (a list or a "
                         "DataLoader)") from None


def distill(student, teacher, batches, *, ffn_epochs=1, epochs=1, lr=1e-3, ffn_lr=None,
            task_loss=None, progress=None, ffn_batches=None, schedule="constant",
            weight_decay=0.0):
    """Fine-tunes the LUT layers of `student` (a copy of `teacher` after
    lutmlir.torch.convert) in two stages, on the CPU.

    1. Per-FFN output matching, ``ffn_epochs`` passes: the teacher runs on
       each batch with hooks on its modules of the same names as the
       student's LUT layers; each LUT layer learns, by MSE, the output of
       the FFN it replaced on that FFN's input. Only LUT-layer parameters
       move (learning rate ``ffn_lr``, default ``lr``).
    2. End to end, ``epochs`` passes: all of the student's parameters, on
       ``task_loss(student(x), y)`` when given (batches are then (x, y)
       pairs), else on the MSE between the student's and the teacher's
       outputs (knowledge distillation).

    batches: a re-iterable (a list, a DataLoader) of inputs x, or of
        (x, y) pairs; x is what the model's forward takes (a tensor).
    progress: None or progress(stage, step, loss) with stage "ffn" or
        "end-to-end", after every optimizer step.
    ffn_batches: the inputs of stage 1 (default ``batches``), e.g. a subset.
    schedule: "constant" or "cosine" (each stage's learning rate decays to
        0 over its steps). weight_decay: AdamW's decoupled weight decay
        (0: Adam).
    Returns {"ffn": [mean loss per pass], "end-to-end": [...]}. Raises
    ValueError when the student has no LUT layer or the teacher lacks a
    module of one's name."""
    layers = lut_layers(student)
    if schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be 'constant' or 'cosine', not {schedule!r}")
    if not layers:
        raise ValueError("the student has no LookupFFN or WeightlessFFN layer: "
                         "run lutmlir.torch.convert first")
    tmods = dict(teacher.named_modules())
    missing = [n for n in layers if n not in tmods]
    if missing:
        raise ValueError(f"the teacher has no module named {missing[0]!r}")
    history = {"ffn": [], "end-to-end": []}
    teacher.eval()

    def split(batch):
        if isinstance(batch, (tuple, list)) and len(batch) == 2:
            return batch[0], batch[1]
        return batch, None

    # 1. per-FFN matching
    params = [p for m in layers.values() for p in m.parameters()]
    ffn_batches = batches if ffn_batches is None else ffn_batches
    opt = torch.optim.AdamW(params, lr=ffn_lr or lr, weight_decay=weight_decay)
    sched = _schedule(opt, schedule, ffn_epochs * _count(ffn_batches, schedule))
    captured = {}
    hooks = [tmods[n].register_forward_hook(
        lambda mod, args, out, n=n: captured.__setitem__(n, (_first_tensor(args), out)))
        for n in layers]
    try:
        step = 0
        for _ in range(ffn_epochs):
            total, count = 0.0, 0
            for batch in ffn_batches:
                x, _ = split(batch)
                with torch.no_grad():
                    teacher(x)
                opt.zero_grad()
                loss = sum(nn.functional.mse_loss(layers[n](captured[n][0]), captured[n][1])
                           for n in layers) / len(layers)
                loss.backward()
                opt.step()
                if sched:
                    sched.step()
                total, count, step = total + loss.item(), count + 1, step + 1
                if progress:
                    progress("ffn", step, loss.item())
            history["ffn"].append(total / max(count, 1))
    finally:
        for h in hooks:
            h.remove()

    # 2. end to end
    opt = torch.optim.AdamW(student.parameters(), lr=lr, weight_decay=weight_decay)
    sched = _schedule(opt, schedule, epochs * _count(batches, schedule))
    step = 0
    student.train()
    for _ in range(epochs):
        total, count = 0.0, 0
        for batch in batches:
            x, y = split(batch)
            opt.zero_grad()
            out = student(x)
            if task_loss is not None:
                if y is None:
                    raise ValueError("task_loss needs batches of (x, y) pairs")
                loss = task_loss(out, y)
            else:
                with torch.no_grad():
                    want = teacher(x)
                loss = nn.functional.mse_loss(out, want)
            loss.backward()
            opt.step()
            if sched:
                sched.step()
            total, count, step = total + loss.item(), count + 1, step + 1
            if progress:
                progress("end-to-end", step, loss.item())
        history["end-to-end"].append(total / max(count, 1))
    student.eval()
    return history
