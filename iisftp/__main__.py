from iisftp.cli import main

main()
