#!/usr/bin/env python3
"""Transcribes the SIG network-policy-api conformance tests (v0.1.7, the v1alpha1 ANP/BANP generation) into Palisade
conformance cases, in two generations: tests/conformance/anp/<case>/ (AdminNetworkPolicy + BaselineAdminNetworkPolicy)
and tests/conformance/cnp/<case>/ (the same policies as ClusterNetworkPolicy), with one expect.json for both.

Probes are parsed from the Go tests (Get of a pod into a variable, then PokeServer against that variable's IP);
mutations are parsed from the same bodies and applied cumulatively, as the upstream sub-tests run in order against one
set of objects. Steps already in tests/conformance/upstream/anp/ are skipped (but still parsed, and checked against the
shared transcription).
"""

import copy
import json
import os
import re
import subprocess
import sys

import yaml

MIRROR = "/work/.mirror/kubernetes-sigs+network-policy-api/repo"
TAG = "v0.1.7"
MAIN = "HEAD"
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "upstream", "anp")
OUT = sys.argv[1] if len(sys.argv) > 1 else "/work/main/tests/conformance"

# Pod IPs of the shared cluster.yaml (StatefulSet pods), and the host-networked centaurs we add (on node addresses).
POD_IPS = {
    "network-policy-conformance-gryffindor/harry-potter-0": "10.1.1.10",
    "network-policy-conformance-gryffindor/harry-potter-1": "10.1.1.11",
    "network-policy-conformance-slytherin/draco-malfoy-0": "10.1.2.10",
    "network-policy-conformance-slytherin/draco-malfoy-1": "10.1.2.11",
    "network-policy-conformance-hufflepuff/cedric-diggory-0": "10.1.3.10",
    "network-policy-conformance-hufflepuff/cedric-diggory-1": "10.1.3.11",
    "network-policy-conformance-ravenclaw/luna-lovegood-0": "10.1.4.10",
    "network-policy-conformance-ravenclaw/luna-lovegood-1": "10.1.4.11",
}

# apiVersion of the ClusterNetworkPolicy translation: upstream main ships v1alpha2; the TCP families use it verbatim,
# the rest use v1beta1 (the next version, which Palisade reads with the same schema) so that both are exercised.
V1ALPHA2_FAMILIES = {"anp-egress-tcp", "anp-ingress-tcp", "banp-egress-tcp", "banp-ingress-tcp",
                     "anp-egress-named-port", "banp-ingress-named-port"}


def git(*args):
    return subprocess.run(["git", "-C", MIRROR, *args], check=True, capture_output=True, text=True).stdout


def show(rev, path):
    return git("show", f"{rev}:{path}")


def slug(text):
    s = text.lower()
    s = re.sub(r"^should (support (an|a) )?", "", s)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s


def short_slug(short_name):
    prefix, rest = ("banp", short_name[len("BaselineAdminNetworkPolicy"):]) if short_name.startswith("BaselineAdminNetworkPolicy") \
        else ("anp", short_name[len("AdminNetworkPolicy"):])
    rest = rest.replace("TCP", "Tcp").replace("UDP", "Udp").replace("SCTP", "Sctp").replace("CIDR", "Cidr")
    words = re.findall(r"[A-Z][a-z0-9]*", rest)
    return "-".join([prefix] + [w.lower() for w in words])


GET = re.compile(r'(?:s\.Client\.Get\(ctx, client\.ObjectKey\{\s*(?:Namespace:\s*"(?P<ns>[^"]+)",\s*)?Name:\s*"(?P<name>[^"]+)",?\s*\}, (?P<var>\w+)\))')
POKE = re.compile(r'kubernetes\.PokeServer\(t, s\.ClientSet, &s\.KubeConfig, "(?P<cns>[^"]+)", "(?P<cpod>[^"]+)", "(?P<proto>\w+)",\s*'
                  r'(?P<var>\w+)\.Status\.PodIP, int32\((?P<port>\d+)\), s\.TimeoutConfig\.RequestTimeout, (?P<exp>true|false)\)')
SWAP = re.compile(r'mutate\.Spec\.(?P<dir>Egress|Ingress)\[(?P<i>\d+)\] = mutate\.Spec\.(?P=dir)\[(?P<j>\d+)\]')
ACTION = re.compile(r'mutate\.Spec\.(?P<dir>Egress|Ingress)\[(?P<i>\d+)\]\.Action = v1alpha1\.AdminNetworkPolicyRuleAction(?P<a>\w+)')
PRIORITY = re.compile(r'mutate\.Spec\.Priority = (?P<p>\d+)')
PORTS = re.compile(r'(?P<v>\w+) := mutate(?:\.DeepCopy\(\))?\.Spec\.(?P<dir>Egress|Ingress)\[(?P<i>\d+)\]\s*\n\s*\w+ := "(?P<name>[\w-]+)"')
APPEND = re.compile(r'mutate\.Spec\.Egress = append\(newRule, mutate\.Spec\.Egress\.\.\.\)')
DELETE = re.compile(r's\.Client\.Delete\(ctx, (?P<var>\w+)\)')
FEATURE = re.compile(r'suite\.Support(\w+)')


def parse_tests(rev, path):
    src = show(rev, path)
    tests = []
    starts = [m for m in re.finditer(r'var (\w+) = suite\.ConformanceTest\{', src)]
    for k, m in enumerate(starts):
        body = src[m.start(): starts[k + 1].start() if k + 1 < len(starts) else len(src)]
        short = re.search(r'ShortName:\s+"(\w+)"', body).group(1)
        features = re.search(r'Features: \[\]suite\.SupportedFeature\{(.*?)\}', body, re.S).group(1)
        manifests = re.findall(r'"(base/[^"]+)"', re.search(r'Manifests: \[\]string\{(.*?)\}', body, re.S).group(1))
        runs = list(re.finditer(r't\.Run\("((?:[^"\\]|\\.)*)", func', body))
        preamble = body[: runs[0].start()]
        steps = []
        for r, run in enumerate(runs):
            text = body[run.start(): runs[r + 1].start() if r + 1 < len(runs) else len(body)]
            steps.append({"name": run.group(1), "body": text})
        tests.append({"file": path, "var": m.group(1), "short": short, "features": FEATURE.findall(features),
                      "manifests": manifests, "preamble": preamble, "steps": steps})
    return tests


def probes_of(test):
    """Probes per step: (client, server, port, expected), following the last Get into each variable."""
    pods = {}
    for g in GET.finditer(test["preamble"]):
        if g.group("ns"):
            pods[g.group("var")] = f'{g.group("ns")}/{g.group("name")}'
    result = []
    for step in test["steps"]:
        body = step["body"]
        events = sorted([(g.start(), "get", g) for g in GET.finditer(body)] + [(p.start(), "poke", p) for p in POKE.finditer(body)],
                        key=lambda e: e[0])
        probes = []
        for _, kind, m in events:
            if kind == "get":
                if m.group("ns"):
                    pods[m.group("var")] = f'{m.group("ns")}/{m.group("name")}'
            else:
                probes.append([f'{m.group("cns")}/{m.group("cpod")}', pods[m.group("var")],
                               f'{m.group("port")}/{m.group("proto").upper()}', m.group("exp") == "true"])
        assert len(probes) == body.count("PokeServer("), (test["short"], step["name"])
        result.append(probes)
    return result


def mutations_of(test, step):
    """The mutations a step makes, as (description, function over the list of docs)."""
    body = step["body"]
    ops = []
    policy = None
    m = re.search(r'client\.ObjectKey\{\s*Name:\s*"([^"]+)",?\s*\}, (anp|banp)\)', body)
    if m:
        policy = ("AdminNetworkPolicy" if m.group(2) == "anp" else "BaselineAdminNetworkPolicy", m.group(1))
    seen_swaps = set()
    for s in SWAP.finditer(body):
        d, i, j = s.group("dir").lower(), int(s.group("i")), int(s.group("j"))
        if (d, i, j) in seen_swaps:
            continue
        seen_swaps.add((d, i, j))
        ops.append((f"swap {d} rules {i} and {j} of {policy[0]}/{policy[1]}", swap_op(policy, d, i, j)))
    for a in ACTION.finditer(body):
        d, i, act = a.group("dir").lower(), int(a.group("i")), a.group("a")
        ops.append((f"set the action of {d} rule {i} of {policy[0]}/{policy[1]} to {act}", action_op(policy, d, i, act)))
    for p in PRIORITY.finditer(body):
        ops.append((f"set the priority of {policy[0]}/{policy[1]} to {p.group('p')}", priority_op(policy, int(p.group("p")))))
    for p in PORTS.finditer(body):
        d, i, name = p.group("dir").lower(), int(p.group("i")), p.group("name")
        ports = [{"namedPort": name}]
        ops.append((f"replace the ports of {d} rule {i} of {policy[0]}/{policy[1]} with {json.dumps(ports)}", ports_op(policy, d, i, ports)))
    if APPEND.search(body):
        # The rule the test builds: Allow to the IPs of luna-lovegood-0 and cedric-diggory-0 (/32 on IPv4).
        rule = {"name": "allow-egress-to-specific-podIPs", "action": "Allow", "to": [{"networks": [
            POD_IPS["network-policy-conformance-ravenclaw/luna-lovegood-0"] + "/32",
            POD_IPS["network-policy-conformance-hufflepuff/cedric-diggory-0"] + "/32"]}]}
        ops.append((f"insert egress rule 0 {json.dumps(rule)} (the IPs of luna-lovegood-0 and cedric-diggory-0) into {policy[0]}/{policy[1]}",
                    insert_op(policy, "egress", 0, rule)))
    for d in DELETE.finditer(body):
        g = [x for x in GET.finditer(body) if x.group("var") == d.group("var")][-1]
        ops.append((f"delete NetworkPolicy/{g.group('ns')}/{g.group('name')}", delete_op("NetworkPolicy", g.group("ns"), g.group("name"))))
    patches = body.count("s.Client.Patch(")
    assert patches == (1 if ops and not DELETE.search(body) else 0), (test["short"], step["name"], patches, ops)
    return ops


def find(docs, kind, name, ns=None):
    hits = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name and d["metadata"].get("namespace") == ns]
    assert len(hits) == 1, (kind, name, ns)
    return hits[0]


def swap_op(policy, d, i, j):
    def f(docs):
        rules = find(docs, *policy)["spec"][d]
        rules[i], rules[j] = rules[j], rules[i]
    return f


def action_op(policy, d, i, act):
    def f(docs):
        find(docs, *policy)["spec"][d][i]["action"] = act
    return f


def priority_op(policy, p):
    def f(docs):
        find(docs, *policy)["spec"]["priority"] = p
    return f


def ports_op(policy, d, i, ports):
    def f(docs):
        find(docs, *policy)["spec"][d][i]["ports"] = copy.deepcopy(ports)
    return f


def insert_op(policy, d, i, rule):
    def f(docs):
        find(docs, *policy)["spec"][d].insert(i, copy.deepcopy(rule))
    return f


def delete_op(kind, ns, name):
    def f(docs):
        doc = find(docs, kind, name, ns)
        docs.remove(doc)
    return f


def load_manifests(rev, paths):
    docs = []
    for p in paths:
        docs.extend(d for d in yaml.safe_load_all(show(rev, "conformance/" + p)) if d)
    return docs


# ---------------------------------------------------------------------------------------------------------------- CNP

def cnp_ports(ports):
    out = []
    for p in ports:
        if "namedPort" in p:
            out.append({"destinationNamedPort": p["namedPort"]})
        elif "portNumber" in p:
            n = p["portNumber"]
            out.append({n.get("protocol", "TCP").lower(): {"destinationPort": {"number": n["port"]}}})
        else:
            r = p["portRange"]
            out.append({r.get("protocol", "TCP").lower(): {"destinationPort": {"range": {"start": r["start"], "end": r["end"]}}}})
    return out


def cnp_rules(rules, peers_field):
    out = []
    for r in rules:
        n = {}
        if "name" in r:
            n["name"] = r["name"]
        n["action"] = {"Allow": "Accept"}.get(r["action"], r["action"])
        n[peers_field] = copy.deepcopy(r[peers_field])
        if "ports" in r:
            n["protocols"] = cnp_ports(r["ports"])
        out.append(n)
    return out


def to_cnp(doc, version):
    kind = doc["kind"]
    if kind not in ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy"):
        return copy.deepcopy(doc)
    spec = doc["spec"]
    baseline = kind == "BaselineAdminNetworkPolicy"
    out_spec = {"tier": "Baseline" if baseline else "Admin", "priority": 10 if baseline else spec["priority"],
                "subject": copy.deepcopy(spec["subject"])}
    if "ingress" in spec:
        out_spec["ingress"] = cnp_rules(spec["ingress"], "from")
    if "egress" in spec:
        out_spec["egress"] = cnp_rules(spec["egress"], "to")
    return {"apiVersion": f"policy.networking.k8s.io/{version}", "kind": "ClusterNetworkPolicy",
            "metadata": {"name": doc["metadata"]["name"]}, "spec": out_spec}


# ------------------------------------------------------------------------------------------------------------- output

class Dumper(yaml.SafeDumper):
    pass


def dump(docs, header):
    text = "".join("---\n" + yaml.dump(d, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=1000) for d in docs)
    return "".join(f"# {h}\n" for h in header) + text


def port_key(p):
    n, proto = p.split("/")
    return (int(n), proto)


def expect_json(probes, source):
    ports = sorted({p[2] for p in probes}, key=port_key)
    lines = ["{", f' "ports": [{", ".join(json.dumps(p) for p in ports)}],', ' "allowed": [']
    allowed = [p for p in probes if p[3]]
    lines += [f'  [{json.dumps(p[0])}, {json.dumps(p[1])}, {json.dumps(p[2])}]' + ("," if k + 1 < len(allowed) else "") for k, p in enumerate(allowed)]
    lines += [" ],", ' "probes": [']
    lines += [f'  [{json.dumps(p[0])}, {json.dumps(p[1])}, {json.dumps(p[2])}, {json.dumps(p[3])}]' + ("," if k + 1 < len(probes) else "") for k, p in enumerate(probes)]
    lines += [" ],", f' "source": {json.dumps(source, ensure_ascii=False)}', "}"]
    return "\n".join(lines) + "\n"


def diff(x,y,p=""):
    if type(x)!=type(y): print("  ",p,repr(x)[:200],"|",repr(y)[:200], file=sys.stderr); return
    if isinstance(x,dict):
        for k in sorted(set(x)|set(y)):
            if k not in x or k not in y: print("  ",p+"/"+k, k in x, k in y, file=sys.stderr)
            else: diff(x[k],y[k],p+"/"+k)
    elif isinstance(x,list):
        if len(x)!=len(y): print("  ",p,"len",len(x),len(y), file=sys.stderr)
        for k,(u,v) in enumerate(zip(x,y)): diff(u,v,f"{p}[{k}]")
    elif x!=y: print("  ",p,x,y, file=sys.stderr)


NODES = [("kind-control-plane", "172.18.0.2"), ("kind-worker", "172.18.0.3"), ("kind-worker2", "172.18.0.4")]
CENTAURS = [("centaur-0", "kind-worker", "172.18.0.3"), ("centaur-1", "kind-worker2", "172.18.0.4")]


def write_cluster():
    """The shared suite's cluster.yaml, plus what the node-peer tests need: the host-networked centaur StatefulSet pods
    of network-policy-conformance-forbidden-forrest (conformance/base/manifests.yaml) and the Nodes they run on."""
    shared = open(os.path.join(SHARED, "cluster.yaml")).read()
    body = shared[shared.index("---"):]
    head = [
        "# The network-policy-api conformance model (conformance/base/manifests.yaml at v0.1.7): namespaces",
        "# network-policy-conformance-{gryffindor,slytherin,hufflepuff,ravenclaw,forbidden-forrest}, two StatefulSet pods in each",
        "# of the first four, with fixed IPs (the upstream suite's cluster.yaml, tests/conformance/upstream/anp/),",
        "# and, for the node-peer tests, the two host-networked centaur pods of forbidden-forrest on the addresses of the kind",
        "# Nodes they run on. Identical in tests/conformance/anp/ and tests/conformance/cnp/.",
    ]
    extra = []
    for name, ip in NODES:
        labels = {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
        if name.endswith("control-plane"):
            labels["node-role.kubernetes.io/control-plane"] = ""
        extra.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
                      "status": {"addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}]}})
    for name, node, ip in CENTAURS:
        containers = [{"name": "centaur-client", "image": "registry.k8s.io/e2e-test-images/agnhost:2.45"}]
        for port, proto, pname in [(36363, "TCP", "web-36363"), (36364, "TCP", "web-36364"), (34345, "UDP", "dns-34345"),
                                   (34346, "UDP", "dns-34346"), (9003, "SCTP", None), (9005, "SCTP", None)]:
            suffix = f"{port}-{proto.lower()}" if proto != "SCTP" else f"{port}"
            p = {"containerPort": port}
            if pname:
                p["name"] = pname
            p["protocol"] = proto
            containers.append({"name": f"centaur-{suffix}", "image": "registry.k8s.io/e2e-test-images/agnhost:2.45", "ports": [p]})
        extra.append({"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": name, "namespace": "network-policy-conformance-forbidden-forrest",
            "labels": {"conformance-house": "forbidden-forrest", "statefulset.kubernetes.io/pod-name": name,
                       "apps.kubernetes.io/pod-index": name[-1]}},
            "spec": {"hostNetwork": True, "nodeName": node, "containers": containers},
            "status": {"phase": "Running", "hostIP": ip, "podIP": ip, "podIPs": [{"ip": ip}]}})
    text = "\n".join(head) + "\n" + body.rstrip("\n") + "\n" + "".join(
        "---\n" + yaml.dump(d, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=1000) for d in extra)
    for suite in ("anp", "cnp"):
        os.makedirs(os.path.join(OUT, suite), exist_ok=True)
        with open(os.path.join(OUT, suite, "cluster.yaml"), "w") as f:
            f.write(text)


def main():
    commit = git("rev-parse", f"{TAG}^{{commit}}").strip()
    main_commit = git("rev-parse", MAIN).strip()
    files = [f for f in git("ls-tree", "--name-only", TAG, "conformance/tests/").split() if not f.endswith("main.go")]
    shared = set(os.listdir(SHARED))
    written, checked = [], []
    for path in files:
        tests = parse_tests(TAG, path)
        main_tests = parse_tests(MAIN, path)
        for t_index, test in enumerate(tests):
            main_short = main_tests[t_index]["short"]
            family = short_slug(test["short"])
            docs = load_manifests(TAG, test["manifests"])
            applied = []
            all_probes = probes_of(test)
            for s_index, step in enumerate(test["steps"]):
                for desc, op in mutations_of(test, step):
                    op(docs)
                    applied.append(desc)
                n = s_index + 1
                name = f"{family}--s{n}-{slug(step['name'])}"
                probes = all_probes[s_index]
                policies = f"{', '.join(test['manifests'])} as applied" + (f", then: {'; '.join(applied)}" if applied else "")
                step_title = step["name"].replace('\\"', '"')
                if name in shared:
                    checked.append((name, copy.deepcopy(docs), probes, policies))
                    continue
                source = (f"kubernetes-sigs/network-policy-api conformance/tests/{os.path.basename(path)} {test['short']} step s{n} "
                          f"(@{TAG}, {commit[:12]}): {step_title} (sub-test {n} of {len(test['steps'])}; features: "
                          f"{', '.join(test['features'])}); policies: {policies}")
                anp_dir = os.path.join(OUT, "anp", name)
                cnp_dir = os.path.join(OUT, "cnp", name)
                os.makedirs(anp_dir, exist_ok=True)
                os.makedirs(cnp_dir, exist_ok=True)
                header = [f"Policies in force when {test['short']} / {step_title} probes (sub-test {n} of {len(test['steps'])}):",
                          f"{policies}"]
                with open(os.path.join(anp_dir, "policies.yaml"), "w") as f:
                    f.write(dump(docs, header))
                version = "v1alpha2" if family in V1ALPHA2_FAMILIES else "v1beta1"
                cnp_docs = [to_cnp(d, version) for d in docs]
                cnp_header = header + [
                    f"Written as ClusterNetworkPolicy (policy.networking.k8s.io/{version}); the same policies as ../../anp/{name}/:",
                    "AdminNetworkPolicy -> tier Admin, same priority; BaselineAdminNetworkPolicy -> tier Baseline, priority 10 (as in",
                    "upstream main's conformance/base/baseline_tier); Allow -> Accept; ports -> protocols. Upstream main runs this step as",
                    f"{main_short} / {main_tests[t_index]['steps'][s_index]['name']} (at {main_commit[:12]}).",
                ]
                with open(os.path.join(cnp_dir, "policies.yaml"), "w") as f:
                    f.write(dump(cnp_docs, cnp_header))
                expect = expect_json(probes, source)
                for d in (anp_dir, cnp_dir):
                    with open(os.path.join(d, "expect.json"), "w") as f:
                        f.write(expect)
                written.append(name)
    # Our transcription of the steps already in the shared suite must agree with it.
    for name, docs, probes, policies in checked:
        shared_docs = [d for d in yaml.safe_load_all(open(os.path.join(SHARED, name, "policies.yaml"))) if d]
        shared_expect = json.load(open(os.path.join(SHARED, name, "expect.json")))
        if shared_docs != docs:
            print(f"MISMATCH policies {name}", file=sys.stderr); diff(shared_docs, docs)
        shared_line = open(os.path.join(SHARED, name, "policies.yaml")).read().splitlines()[1][2:]
        if shared_line != policies:
            print(f"MISMATCH description {name}:\n  {shared_line}\n  {policies}", file=sys.stderr)
        if [list(p) for p in shared_expect["probes"]] != probes:
            print(f"MISMATCH probes {name}: {shared_expect['probes']} vs {probes}", file=sys.stderr)
    write_cluster()
    print(f"wrote {len(written)} cases; checked {len(checked)} shared cases")
    for w in written:
        print("  " + w)


if __name__ == "__main__":
    main()
