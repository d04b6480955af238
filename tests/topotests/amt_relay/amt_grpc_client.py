#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# amt_grpc_client.py: a small client of FRR's gRPC northbound
# (grpc/frr-northbound.proto) for amtd's relay topotest.
#

"""
amt_grpc_client.py --proto FILE [--port N] ACTION ...

  getcap                       list the daemon's YANG modules
  get PATH [all|config|state]  print the data tree under PATH (JSON)
  [--timeout S] [--max-receive-mib M]   (the benchmark's walk of many tunnels)
  edit --set PATH=VALUE ... --delete PATH ...
                               one candidate, the edits, one commit

Prints one JSON object on stdout: {"ok": bool, ...}.  The Python modules
are generated from the .proto with grpc_tools into a temporary directory,
as FRR's own lib/grpc-query.py does.  Every RPC has a deadline.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

RPC_TIMEOUT = 10


def load_modules(proto):
    from grpc_tools import protoc

    tmp = tempfile.mkdtemp(prefix="amt-grpc-")
    try:
        rc = protoc.main(
            [
                "protoc",
                "-I",
                os.path.dirname(os.path.abspath(proto)),
                "--python_out=" + tmp,
                "--grpc_python_out=" + tmp,
                os.path.basename(proto),
            ]
        )
        if rc != 0:
            raise RuntimeError("protoc failed on %s" % proto)
        sys.path.insert(0, tmp)
        import frr_northbound_pb2 as pb2
        import frr_northbound_pb2_grpc as pb2_grpc

        return pb2, pb2_grpc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--proto", required=True)
    p.add_argument("--server", default="127.0.0.1")
    p.add_argument("--port", type=int, default=50051)
    p.add_argument("--timeout", type=float, default=RPC_TIMEOUT, help="deadline of each RPC, s")
    p.add_argument(
        "--max-receive-mib",
        type=int,
        default=0,
        help="largest answer taken (gRPC's default, 4 MiB, when 0)",
    )
    sub = p.add_subparsers(dest="action", required=True)
    sub.add_parser("getcap")
    g = sub.add_parser("get")
    g.add_argument("path")
    g.add_argument("type", nargs="?", default="all", choices=("all", "config", "state"))
    e = sub.add_parser("edit")
    e.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="split at the last =",
    )
    e.add_argument("--delete", action="append", default=[], metavar="PATH")
    args = p.parse_args()

    import grpc

    pb2, pb2_grpc = load_modules(args.proto)
    opts = []
    if args.max_receive_mib:
        opts.append(("grpc.max_receive_message_length", args.max_receive_mib << 20))
    channel = grpc.insecure_channel("%s:%d" % (args.server, args.port), options=opts)
    try:
        grpc.channel_ready_future(channel).result(timeout=args.timeout)
    except grpc.FutureTimeoutError:
        print(json.dumps({"ok": False, "error": "gRPC server not reachable"}))
        return 1
    stub = pb2_grpc.NorthboundStub(channel)
    out = {"ok": True}
    try:
        if args.action == "getcap":
            r = stub.GetCapabilities(pb2.GetCapabilitiesRequest(), timeout=args.timeout)
            out["frr_version"] = r.frr_version
            out["modules"] = [m.name for m in r.supported_modules]
        elif args.action == "get":
            req = pb2.GetRequest()
            req.type = {
                "all": pb2.GetRequest.ALL,
                "config": pb2.GetRequest.CONFIG,
                "state": pb2.GetRequest.STATE,
            }[args.type]
            req.encoding = pb2.JSON
            req.path.append(args.path)
            chunks = [r.data.data for r in stub.Get(req, timeout=args.timeout)]
            out["raw"] = "".join(chunks)
            try:
                out["data"] = json.loads(out["raw"]) if out["raw"].strip() else {}
            except ValueError:
                out["data"] = None
        elif args.action == "edit":
            cand = stub.CreateCandidate(
                pb2.CreateCandidateRequest(), timeout=args.timeout
            ).candidate_id
            try:
                req = pb2.EditCandidateRequest(candidate_id=cand)
                for pv in args.set:
                    path, _, value = pv.rpartition("=")
                    req.update.append(pb2.PathValue(path=path, value=value))
                for path in args.delete:
                    req.delete.append(pb2.PathValue(path=path))
                stub.EditCandidate(req, timeout=args.timeout)
                r = stub.Commit(
                    pb2.CommitRequest(
                        candidate_id=cand,
                        phase=pb2.CommitRequest.ALL,
                        comment="amt_relay topotest",
                    ),
                    timeout=args.timeout,
                )
                out["transaction_id"] = r.transaction_id
                out["error_message"] = r.error_message
            finally:
                stub.DeleteCandidate(
                    pb2.DeleteCandidateRequest(candidate_id=cand), timeout=args.timeout
                )
    except grpc.RpcError as err:
        out = {"ok": False, "code": str(err.code()), "error": err.details()}
    finally:
        channel.close()
    print(json.dumps(out))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
