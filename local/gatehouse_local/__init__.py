"""Docker-free local run and API test harness for Gatehouse, driven by template.yaml."""
