from voelgoed.cli import main

raise SystemExit(main())
