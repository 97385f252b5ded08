from gatehouse_cli.main import main

main()
