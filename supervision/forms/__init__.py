"""Input shapes of the supervision pages; business rules stay in the services."""
