"""Re-exports of issue-5 reference kernels (part b)."""

__all__: list[str] = []
