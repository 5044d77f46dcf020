from mockown.cli import main

main()
