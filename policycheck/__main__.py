import gc

gc.disable()  # as the console script (policycheck/script.py): a short-lived process

from .cli import main  # noqa: E402

raise SystemExit(main())
