"""`python -m nianbao`: the `nianbao` command."""

from nianbao.cli import main

main()
