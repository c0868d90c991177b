from graphgen_neo4j.cli import main

main()
