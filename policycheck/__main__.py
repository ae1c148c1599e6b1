from .script import main  # the collector off before the imports, as the console script

main()
