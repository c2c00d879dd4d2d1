"""Progress of long compilations: a callback, or a tqdm bar per stage."""


def make(progress):
    """The callback for `compile(progress=...)`: a callable as given; None:
    a tqdm bar per stage when tqdm is installed, else nothing; False:
    nothing. Returns (callback or None, close) where close() ends open bars."""
    if progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    if progress is not None:
        raise TypeError("progress must be a callable progress(stage, done, total), None "
                        f"(a tqdm bar when tqdm is installed) or False, not {progress!r}")
    try:
        from tqdm import tqdm
    except ImportError:
        return None, lambda: None
    state = {"stage": None, "bar": None}

    def close():
        if state["bar"] is not None:
            state["bar"].close()
            state["bar"] = None

    def callback(stage, done, total):
        if stage != state["stage"]:
            close()
            state["stage"] = stage
            state["bar"] = tqdm(total=total or None, desc=stage, unit="step", leave=True)
        bar = state["bar"]
        bar.update(done - bar.n)

    return callback, close
