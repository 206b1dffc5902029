"""`make bench`: every benchmark, one line each: seedgrad's time, the peer's, and the ratio."""

from __future__ import annotations

import threadpoolctl

from . import bench_conv, bench_gc, bench_model, bench_scalar, bench_tensor


def main() -> None:
    blas = [(info["internal_api"], info.get("architecture"), info["num_threads"])
            for info in threadpoolctl.threadpool_info()]
    print(f"numpy BLAS: {blas}")
    with threadpoolctl.threadpool_limits(limits=2):
        for bench in (bench_scalar, bench_tensor, bench_model, bench_gc, bench_conv):
            bench.main()


if __name__ == "__main__":
    main()
