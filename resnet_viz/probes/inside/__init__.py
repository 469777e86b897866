"""Inside the network: real images, feature maps and captum attributions."""
