"""``python -m workorders`` runs the same CLI as the ``workorders`` script."""

from workorders.cli import main

if __name__ == "__main__":
    main()
