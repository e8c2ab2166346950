"""``python -m hccrep.book ...``: the book's command line (:mod:`hccrep.book.cli`)."""

from hccrep.book.cli import main

raise SystemExit(main())
