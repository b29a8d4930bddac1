# Runs a command in a pod with the official Python client's exec (stdout=True, stderr=True
# as it sends them) and prints {"out": ..., "status": ...} once the status channel arrives,
# without waiting for the socket to close.
import json
import sys

from kubernetes import client, config
from kubernetes.stream import stream

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
resp = stream(v1.connect_get_namespaced_pod_exec, sys.argv[3], sys.argv[2], command=sys.argv[4:],
              stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
out = ""
status = None
for _ in range(60):
    resp.update(timeout=1)
    if resp.peek_stdout():
        out += resp.read_stdout()
    if resp.peek_channel(3):
        status = resp.read_channel(3)
        break
    if not resp.is_open():
        break
out += resp.read_stdout() if resp.peek_stdout() else ""
print(json.dumps({"out": out, "status": status}))
