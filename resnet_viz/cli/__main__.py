"""``python -m resnet_viz.cli`` runs the ``resnet-viz`` command."""

import sys

try:
    from resnet_viz.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command is still starting: one line, no traceback
    sys.stderr.write("resnet-viz: interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())
