# Watches ConfigMaps with the official Python client (which sends watch=True) and
# prints the events it saw as JSON: [[type, name], ...].
import json
import sys

from kubernetes import client, config, watch

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
events = []
for ev in watch.Watch().stream(v1.list_namespaced_config_map, namespace=sys.argv[2], timeout_seconds=int(sys.argv[3])):
    events.append([ev["type"], ev["object"].metadata.name])
print(json.dumps(events))
