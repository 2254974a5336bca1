from skilltrends.cli import main

main()
