"""Scripts of make container-test and make deploy-test, and the manifest checks they share."""
