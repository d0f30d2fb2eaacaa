# PUT of a file with sendfile(2), so the client's share of the two cores stays near zero: the
# server under test (ours or Glance) then gets what the limit gets, the whole machine. A Node client
# read the file and wrote it to the socket at 0.7 CPU-s per GiB, a fifth of a core for the whole
# upload, taken from the server being measured.
#
# python3 sendfile-put.py HOST PORT PATH FILE HEADERS_JSON
# Connects, then prints "ready" and waits for a line on stdin: the caller starts its clock there,
# the same place as a kept-alive connection. Prints the response's status code, exits 0.
import json
import os
import socket
import sys

host, port, target, file, headers = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
with open(file, "rb") as f, socket.create_connection((host, port)) as s:
    size = os.fstat(f.fileno()).st_size
    head = [f"PUT {target} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/octet-stream", f"Content-Length: {size}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    print("ready", flush=True)
    sys.stdin.readline()
    s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    s.sendfile(f)
    status = s.makefile("rb").readline().split()
    print(status[1].decode() if len(status) > 1 else "none", flush=True)
