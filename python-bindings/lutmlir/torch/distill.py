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


def distill(student, teacher, batches, *, ffn_epochs=1, epochs=1, lr=1e-3, ffn_lr=None,
            task_loss=None, progress=None):
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
    Returns {"ffn": [mean loss per pass], "end-to-end": [...]}. Raises
    ValueError when the student has no LUT layer or the teacher lacks a
    module of one's name."""
    layers = lut_layers(student)
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
    opt = torch.optim.Adam(params, lr=ffn_lr or lr)
    captured = {}
    hooks = [tmods[n].register_forward_hook(
        lambda mod, args, out, n=n: captured.__setitem__(n, (_first_tensor(args), out)))
        for n in layers]
    try:
        step = 0
        for _ in range(ffn_epochs):
            total, count = 0.0, 0
            for batch in batches:
                x, _ = split(batch)
                with torch.no_grad():
                    teacher(x)
                opt.zero_grad()
                loss = sum(nn.functional.mse_loss(layers[n](captured[n][0]), captured[n][1])
                           for n in layers) / len(layers)
                loss.backward()
                opt.step()
                total, count, step = total + loss.item(), count + 1, step + 1
                if progress:
                    progress("ffn", step, loss.item())
            history["ffn"].append(total / max(count, 1))
    finally:
        for h in hooks:
            h.remove()

    # 2. end to end
    opt = torch.optim.Adam(student.parameters(), lr=lr)
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
            total, count, step = total + loss.item(), count + 1, step + 1
            if progress:
                progress("end-to-end", step, loss.item())
        history["end-to-end"].append(total / max(count, 1))
    student.eval()
    return history
