"""``python -m resnet_viz.cli`` runs the ``resnet-viz`` command."""

from resnet_viz.cli import main

raise SystemExit(main())
