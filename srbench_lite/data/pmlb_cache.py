"""The local PMLB cache: where it is, what it holds, and fetching what it lacks.

Real-world datasets (the ``srbench-blackbox`` suite) are read with PMLB's own loader,
``pmlb.fetch_data(name, local_cache_dir=DIR)``: it reads ``DIR/<name>/<name>.tsv.gz`` when the
file is there and downloads (then caches) it otherwise. Before anything is downloaded,
:func:`ensure_cached` checks in a few seconds whether PMLB's host can be reached at all, so an
offline machine gets a clear error naming the missing datasets and how to fetch them, instead
of a hang inside ``requests``.

The cache folder is, in order: the one given (``--pmlb-cache DIR``, ``pmlb_cache=``), the
environment variable :data:`ENV_CACHE`, or :func:`default_cache_dir`
(``$XDG_CACHE_HOME/srbench-lite/pmlb``, by default ``~/.cache/srbench-lite/pmlb``).
``SRBENCH_LITE_OFFLINE=1`` (:data:`ENV_OFFLINE`) forbids any download.
"""

from __future__ import annotations

import contextlib
import os
import socket
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from srbench_lite.data.pmlb_io import pmlb_path
from srbench_lite.errors import SrbenchError

__all__ = [
    "ENV_CACHE",
    "ENV_OFFLINE",
    "DataUnavailableError",
    "cache_dir",
    "default_cache_dir",
    "ensure_cached",
    "fetch_frame",
    "missing_datasets",
    "network_available",
]

ENV_CACHE = "SRBENCH_LITE_PMLB_CACHE"
ENV_OFFLINE = "SRBENCH_LITE_OFFLINE"
#: where PMLB's files are downloaded from (pmlb.GITHUB_URL)
PMLB_HOST = ("github.com", 443)
#: seconds the availability check waits for PMLB's host before calling the machine offline
NETWORK_TIMEOUT_S = 3.0
#: per-operation socket timeout while downloading (a stalled download fails, never hangs)
DOWNLOAD_TIMEOUT_S = 60.0
#: missing datasets named one by one in the error message and the fetch one-liner
MAX_LISTED = 12


class DataUnavailableError(SrbenchError):
    """A dataset is neither in the local cache nor downloadable now."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/srbench-lite/pmlb`` (``~/.cache/srbench-lite/pmlb`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "srbench-lite" / "pmlb"


def cache_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The PMLB cache folder: ``explicit``, else ``$SRBENCH_LITE_PMLB_CACHE``, else the default."""
    if explicit is not None and str(explicit).strip():
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_CACHE, "").strip()
    return Path(env).expanduser() if env else default_cache_dir()


def missing_datasets(names: Sequence[str], folder: str | os.PathLike) -> list[str]:
    """The names whose PMLB file (``folder/<name>/<name>.tsv.gz``) is not there."""
    return [n for n in names if not pmlb_path(folder, n).is_file()]


def offline_forced() -> bool:
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes")


def network_available(
    host: tuple[str, int] = PMLB_HOST, timeout: float = NETWORK_TIMEOUT_S
) -> bool:
    """Whether a TCP connection to ``host`` opens within ``timeout`` seconds (DNS included)."""
    if offline_forced():
        return False
    try:
        with contextlib.closing(socket.create_connection(host, timeout=timeout)):
            return True
    except OSError:  # no route, refused, DNS failure, timeout
        return False


def fetch_hint(names: Sequence[str], suite: str) -> str:
    """How to fill a cache on a machine that is online (a one-liner), then use it here."""
    if len(names) <= MAX_LISTED:
        listed = "[" + ", ".join(repr(n) for n in names) + "]"
        code = f"import pmlb; [pmlb.fetch_data(n, local_cache_dir='pmlb_cache') for n in {listed}]"
    else:
        code = (
            "import pmlb; from srbench_lite.data import list_problems; "
            f"[pmlb.fetch_data(n, local_cache_dir='pmlb_cache') for n in list_problems({suite!r})]"
        )
    return (
        f'On a machine with internet access run\n  python -c "{code}"\n'
        "then copy the folder pmlb_cache here and pass --pmlb-cache DIR to `srbench-lite run` "
        f"(or set {ENV_CACHE}=DIR)"
    )


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """pmlb downloads with ``requests`` and pandas without a timeout: bound every socket
    operation meanwhile (the process-wide default, restored afterwards)."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def ensure_cached(
    names: Sequence[str], folder: str | os.PathLike, *, suite: str = "srbench-blackbox"
) -> list[str]:
    """Make sure every dataset of ``names`` is in the cache ``folder``; return those fetched.

    Missing files are downloaded with ``pmlb.fetch_data`` when PMLB's host answers within
    :data:`NETWORK_TIMEOUT_S` seconds. Raises :class:`DataUnavailableError` naming the missing
    datasets and how to fetch them when the machine is offline (or ``SRBENCH_LITE_OFFLINE``
    is set), when pmlb is not installed, or when a download fails.
    """
    folder = Path(folder)
    missing = missing_datasets(names, folder)
    if not missing:
        return []
    where = f"the PMLB cache {str(folder)!r}"
    lacking = f"{len(missing)} dataset(s) of suite {suite} are not in {where}: {_listed(missing)}"
    if offline_forced():
        raise DataUnavailableError(
            f"{lacking}; {ENV_OFFLINE} is set, so nothing is downloaded. "
            + fetch_hint(missing, suite)
        )
    if not network_available():
        host = f"{PMLB_HOST[0]}:{PMLB_HOST[1]}"
        raise DataUnavailableError(
            f"{lacking}; PMLB cannot be reached (no answer from {host} within "
            f"{NETWORK_TIMEOUT_S:g} s: this machine looks offline). " + fetch_hint(missing, suite)
        )
    try:
        import pmlb
    except ImportError:
        raise DataUnavailableError(
            f"{lacking}; downloading them needs pmlb: pip install pmlb (or srbench-lite[pmlb])"
        ) from None
    fetched = []
    with _socket_timeout(DOWNLOAD_TIMEOUT_S):
        for name in missing:
            try:
                pmlb.fetch_data(name, local_cache_dir=str(folder))
            except Exception as exc:  # network errors, HTTP errors, unknown names
                raise DataUnavailableError(
                    f"downloading PMLB dataset {name!r} into {where} failed: "
                    f"{type(exc).__name__}: {exc}. " + fetch_hint(missing, suite)
                ) from None
            fetched.append(name)
    return fetched


def fetch_frame(name: str, folder: str | os.PathLike, *, suite: str = "srbench-blackbox"):
    """One dataset as PMLB's loader returns it (a DataFrame, features then ``target``), read
    from the cache; a missing file is fetched first (:func:`ensure_cached`)."""
    ensure_cached([name], folder, suite=suite)
    try:
        import pmlb
    except ImportError:
        raise DataUnavailableError(
            f"reading PMLB dataset {name!r} needs pmlb: pip install pmlb (or srbench-lite[pmlb])"
        ) from None
    try:
        with warnings.catch_warnings():  # pmlb's own use of pandas' deprecated inplace=
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            return pmlb.fetch_data(name, local_cache_dir=str(folder))
    except Exception as exc:  # a corrupt or non-gzip file
        raise DataUnavailableError(
            f"cannot read {str(pmlb_path(folder, name))!r} with pmlb.fetch_data: "
            f"{type(exc).__name__}: {exc}"
        ) from None
