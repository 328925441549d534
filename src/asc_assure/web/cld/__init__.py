"""CLD pages: pre-submission validation of a CLD file and DHSC's waiting times from the CLD."""
