from gatehouse_local.server import main

raise SystemExit(main())
