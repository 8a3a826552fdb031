#!/usr/bin/env python3
"""Writes the calico-policy conformance cases: <case>/policies.yaml and <case>/expect.json.

Each case is a policy example from the Calico documentation (docs.tigera.io, Calico Open Source "latest", sources in
the tigera/docs repository under calico/), or a documented statement turned into a small example, adapted to the
suite's shared cluster.yaml (namespaces x, y, z, kube-system; eight pods). The expectation of each case is written by
hand below as a predicate over (source pod, destination pod, port), following the documented semantics quoted in the
case's "source"; it is NOT computed by Palisade nor by a general evaluator. The full matrix (every ordered pair of
distinct pods, every listed port) is written to expect.json.

Run from this folder:  python3 generate.py
"""

import json
import os
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = "https://docs.tigera.io/calico/latest/"

# The shared cluster, as facts the predicates may read (mirrors cluster.yaml).
PODS = {
    "x/a": dict(ip="10.0.1.1", sa="db", labels=dict(pod="a", color="red", role="database", app="db", env="stage", **{"my-label": "prod-eu", "apply-ip-protect": "true"})),
    "x/b": dict(ip="10.0.1.2", sa="api-service", labels=dict(pod="b", color="blue", role="frontend", env="prod", **{"my-label": "prod-us"})),
    "x/c": dict(ip="10.0.1.3", sa="intern", labels=dict(pod="c", color="green", role="business")),
    "y/a": dict(ip="10.0.2.1", sa="api-service", labels=dict(pod="a", color="red", role="database", env="stage", **{"my-label": "dev"})),
    "y/b": dict(ip="10.0.2.2", sa="user-auth-service", labels=dict(pod="b", color="blue", role="frontend", **{"my-label": "prod-eu"})),
    "z/a": dict(ip="10.0.3.1", sa="default", labels=dict(pod="a", color="blue", role="business", app="nginx")),
    "z/b": dict(ip="10.0.3.2", sa="intern", labels=dict(pod="b", run="access", env="stage")),
    "kube-system/coredns": dict(ip="10.0.4.1", sa="coredns", labels={"k8s-app": "kube-dns"}),
}


def ns(p):
    return p.split("/")[0]


def lab(p, k):
    return PODS[p]["labels"].get(k)


def red(p):
    return lab(p, "color") == "red"


def blue(p):
    return lab(p, "color") == "blue"


def green(p):
    return lab(p, "color") == "green"


def stage(p):
    return lab(p, "env") == "stage"


def tcp(port):
    return port.endswith("/TCP")


CASES = []


def case(name, source, ports, policies, allowed=None, ingress=None, egress=None):
    """allowed(s, d, port) for the whole flow, or ingress(s, d, port) / egress(s, d, port) for the two ends (each
    defaults to allowed). A flow is allowed when the source's egress and the destination's ingress both allow it."""
    if allowed is None:
        ing = ingress or (lambda s, d, p: True)
        eg = egress or (lambda s, d, p: True)
        allowed = lambda s, d, p: eg(s, d, p) and ing(s, d, p)  # noqa: E731
    CASES.append(dict(name=name, source=source, ports=ports, policies=policies, allowed=allowed))


def y(text):
    return textwrap.dedent(text).strip("\n") + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# Tiers: order, Pass, end-of-tier deny, default action, default tier with Kubernetes policies, kube-admin/kube-baseline
# ---------------------------------------------------------------------------------------------------------------------

TIERED = DOCS + "network-policy/policy-tiers/tiered-policy (Get started with policy tiers)"
TIER_REF = DOCS + "reference/resources/tier (Tier: How policy is evaluated; spec.order, spec.defaultAction)"

case(
    "tier-order-lower-order-first",
    f"{TIERED}, sections 'Create a tier' (tier security, order 300) and 'Tier order' (lowest order first); {TIER_REF}. "
    "Tier security (order 300) denies blue -> red and passes the rest; tier application (order 400, alphabetically "
    "first) allows everything into red pods. Security is evaluated first, so blue -> red is denied; other flows into "
    "red pods are passed and then allowed; pods that are not red have no policy.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: security
    spec:
      order: 300
    ---
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: application
    spec:
      order: 400
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: security.deny-blue-to-red
    spec:
      tier: security
      selector: color == 'red'
      ingress:
        - action: Deny
          source:
            selector: color == 'blue'
        - action: Pass
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: application.allow-all-to-red
    spec:
      tier: application
      selector: color == 'red'
      ingress:
        - action: Allow
    """),
    ingress=lambda s, d, p: not (red(d) and blue(s)),
)

case(
    "tier-equal-order-tier-name-decides",
    f"{TIER_REF}; Tier spec.order field documentation in projectcalico/calico api/pkg/apis/projectcalico/v3/tier.go "
    "('Tiers with identical order will be applied in alphanumerical order based on the Tier \"Name\"'). Tiers blue-team "
    "and red-team both have order 500: blue-team (denies blue -> red, passes the rest) comes first.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: red-team
    spec:
      order: 500
    ---
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: blue-team
    spec:
      order: 500
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: red-team.allow-all-to-red
    spec:
      tier: red-team
      selector: color == 'red'
      ingress:
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: blue-team.deny-blue-to-red
    spec:
      tier: blue-team
      selector: color == 'red'
      ingress:
        - action: Deny
          source:
            selector: color == 'blue'
        - action: Pass
    """),
    ingress=lambda s, d, p: not (red(d) and blue(s)),
)

STAGE_ENV = """
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: devops.stage-env
    spec:
      tier: devops
      order: 255
      selector: env == "stage"
      ingress:
        - action: Deny
          source:
            selector: env != "stage"
    {ipass}
      egress:
        - action: Deny
          destination:
            selector: env != "stage"
    {epass}
      types:
        - Ingress
        - Egress
"""

case(
    "tier-pass-rule-devops-stage-env",
    f"{TIERED}, section 'Implicit default deny', example 'Pass action rule example' (GlobalNetworkPolicy "
    "devops.stage-env in tier devops, verbatim; tier devops order 300 with the default action Deny). Stage pods "
    "(x/a, y/a, z/b) deny traffic to/from pods whose env is not stage and Pass the rest to the next tier (the default "
    "tier, where no policy applies, so it is allowed). Pods that are not stage are not selected.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: devops
    spec:
      order: 300
    ---
    """) + y(STAGE_ENV.replace("{ipass}", "    - action: Pass").replace("{epass}", "    - action: Pass")),
    ingress=lambda s, d, p: stage(s) if stage(d) else True,
    egress=lambda s, d, p: stage(d) if stage(s) else True,
)

case(
    "tier-defaultaction-pass",
    f"{TIERED}, section 'Implicit default deny', example 'Pass default action tier example' (Tier devops, order 300, "
    "defaultAction: Pass, verbatim) with the devops.stage-env policy without its Pass rules; "
    f"{TIER_REF} ('This behaviour can be changed by setting the defaultAction of a tier to Pass'). Same outcome as "
    "the Pass-rule version: unmatched traffic of stage pods goes on to the default tier and is allowed.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: devops
    spec:
      order: 300
      defaultAction: Pass
    ---
    """) + y(STAGE_ENV.replace("    {ipass}\n", "").replace("    {epass}\n", "")),
    ingress=lambda s, d, p: stage(s) if stage(d) else True,
    egress=lambda s, d, p: stage(d) if stage(s) else True,
)

case(
    "tier-end-of-tier-deny-only-for-selected-endpoints",
    f"{TIER_REF} ('If the Tier applies to the endpoint, but takes no action on the packet the packet is dropped'); "
    f"{TIERED}, section 'Policy endpoint matching across tiers' ('if no policies within a tier apply to endpoints, the "
    "tier is skipped, and the tier's implicit deny behavior is not executed'). Tier security selects only red pods and "
    "allows blue sources: other traffic into red pods is dropped at the end of security. For other pods security is "
    "skipped and tier application (deny green, allow the rest) decides.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: security
    spec:
      order: 300
    ---
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: application
    spec:
      order: 400
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: security.red-from-blue
    spec:
      tier: security
      selector: color == 'red'
      ingress:
        - action: Allow
          source:
            selector: color == 'blue'
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: application.no-green
    spec:
      tier: application
      selector: all()
      ingress:
        - action: Deny
          source:
            selector: color == 'green'
        - action: Allow
    """),
    ingress=lambda s, d, p: blue(s) if red(d) else not green(s),
)

case(
    "tier-skipped-when-no-policy-applies",
    f"{TIERED}, section 'Policy endpoint matching across tiers' (diagram: policy D in the security tier passes; no "
    "policy in the platform tier selects the endpoint, so that tier and its implicit deny are skipped; policy J in the "
    "application tier is the first policy with a matching endpoint). Here policy D passes everything, the platform "
    "policy selects env == 'qa' (no pod), and policy J allows only blue sources into red pods.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: security
    spec:
      order: 100
    ---
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: platform
    spec:
      order: 200
    ---
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: application
    spec:
      order: 300
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: security.policy-d
    spec:
      tier: security
      selector: all()
      types:
        - Ingress
        - Egress
      ingress:
        - action: Pass
      egress:
        - action: Pass
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: platform.policy-g
    spec:
      tier: platform
      selector: env == 'qa'
      types:
        - Ingress
        - Egress
      ingress:
        - action: Deny
      egress:
        - action: Deny
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: application.policy-j
    spec:
      tier: application
      selector: color == 'red'
      ingress:
        - action: Allow
          source:
            selector: color == 'blue'
    """),
    ingress=lambda s, d, p: blue(s) if red(d) else True,
)

ALLOW_B_TO_A_KNP = """
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: allow-b-to-a
      namespace: x
    spec:
      podSelector:
        matchLabels:
          pod: a
      ingress:
        - from:
            - podSelector:
                matchLabels:
                  pod: b
"""

case(
    "tier-without-order-comes-last",
    f"{TIER_REF}, spec.order ('No value indicates highest order (lowest precedence)'); {TIERED}, section 'The default "
    "tier' (order 1,000,000, holds Kubernetes network policies). Tier catch-all has no order, so it comes after the "
    "default tier: the Kubernetes policy allows x/b -> x/a (decided in the default tier); every other ingress reaches "
    "catch-all's Deny (or, for x/a, the default tier's end).",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: catch-all
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: catch-all.deny-ingress
    spec:
      tier: catch-all
      selector: all()
      ingress:
        - action: Deny
    ---
    """) + y(ALLOW_B_TO_A_KNP),
    allowed=lambda s, d, p: s == "x/b" and d == "x/a",
)

case(
    "tier-pass-to-default-tier-kubernetes-networkpolicy",
    f"{TIERED}, sections 'Tiers: what and why?' (security tier with Calico global policies above Kubernetes network "
    "policies of the developers), 'The default tier' ('You manage all Kubernetes network policies' there) and 'Policy "
    "action rules' (Pass skips to the next tier that applies). Tier security denies ingress from namespace y "
    "(rule namespaceSelector shape == 'square', no selector) and passes the rest; in the default tier a Kubernetes "
    "NetworkPolicy lets only x/b into x/a. Pods without policy in the default tier are allowed after the pass.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: security
    spec:
      order: 300
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: security.block-square-namespaces
    spec:
      tier: security
      selector: all()
      ingress:
        - action: Deny
          source:
            namespaceSelector: shape == 'square'
        - action: Pass
    ---
    """) + y(ALLOW_B_TO_A_KNP),
    ingress=lambda s, d, p: False if ns(s) == "y" else (s == "x/b" if d == "x/a" else True),
)

case(
    "default-tier-calico-policies-around-kubernetes-order-1000",
    DOCS + "operations/troubleshoot/commands (Kubernetes policies appear as knp.default.<name> with order 1000 in the "
    f"default tier); {TIER_REF} (policies of a tier in order; Allow/Deny end evaluation); {DOCS}reference/resources/"
    "networkpolicy (spec.order). In the default tier: a Calico NetworkPolicy of order 500 denies namespace y into x/a "
    "before the Kubernetes policy (order 1000) that allows x/b and namespace y; a Calico NetworkPolicy of order 2000 "
    "still allows x/c, because the Kubernetes policy has no deny rule and evaluation goes on to the next policy; the "
    "rest ends at the tier's implicit deny.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: deny-from-y
      namespace: x
    spec:
      order: 500
      selector: pod == 'a'
      ingress:
        - action: Deny
          source:
            namespaceSelector: projectcalico.org/name == 'y'
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: allow-b-and-y
      namespace: x
    spec:
      podSelector:
        matchLabels:
          pod: a
      ingress:
        - from:
            - podSelector:
                matchLabels:
                  pod: b
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: "y"
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-c-late
      namespace: x
    spec:
      order: 2000
      selector: pod == 'a'
      ingress:
        - action: Allow
          source:
            selector: pod == 'c'
    """),
    ingress=lambda s, d, p: (s in ("x/b", "x/c")) if d == "x/a" else True,
)

case(
    "kube-admin-tier-clusternetworkpolicy-and-calico-policies",
    f"{TIERED}, section 'kube-admin tier' (order 1,000, default action Pass; ClusterNetworkPolicy accept-default "
    "adapted: namespace default -> x; Calico policies may be added to the kube-admin tier and are ordered with the "
    "ClusterNetworkPolicy priority); projectcalico/calico felix/fv/cluster_network_policy_test.go phases 5 and 6. "
    "In kube-admin: a GlobalNetworkPolicy of order 50 denies blue sources, then the ClusterNetworkPolicy (priority "
    "100) accepts x -> x; the rest passes to the default tier, where a GlobalNetworkPolicy denies all ingress.",
    ["80/TCP"],
    y("""
    apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata:
      name: accept-x
    spec:
      tier: Admin
      priority: 100
      subject:
        namespaces:
          matchLabels:
            kubernetes.io/metadata.name: x
      ingress:
      - name: accept-x-ingress
        action: "Accept"
        from:
        - namespaces:
            matchLabels:
              kubernetes.io/metadata.name: x
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: kube-admin.deny-blue
    spec:
      tier: kube-admin
      order: 50
      selector: all()
      types:
        - Ingress
      ingress:
        - action: Deny
          source:
            selector: color == 'blue'
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: default.deny-ingress
    spec:
      tier: default
      order: 1
      selector: all()
      types:
        - Ingress
      ingress:
        - action: Deny
    """),
    ingress=lambda s, d, p: (not blue(s)) and ns(s) == "x" and ns(d) == "x",
)

case(
    "kube-baseline-tier-after-default",
    f"{TIERED}, section 'kube-baseline tier' (order 10,000,000, after the default tier; ClusterNetworkPolicy deny-all "
    "with tier Baseline, verbatim). The default tier decides first where it applies: a Calico NetworkPolicy allows "
    "everything into x/a; y's policy passes sources from circle namespaces (x, z) to the next tier, kube-baseline, "
    "which denies them, and allows the rest. Pods without a default-tier policy get the baseline deny.",
    ["80/TCP"],
    y("""
    apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata:
      name: deny-all
    spec:
      tier: Baseline
      priority: 1
      subject:
        namespaces:
          matchLabels: {}
      ingress:
      - name: deny-all-ingress
        action: "Deny"
        from:
        - namespaces:
            matchLabels: {}
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-all-to-a
      namespace: x
    spec:
      selector: pod == 'a'
      ingress:
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: pass-circle
      namespace: "y"
    spec:
      selector: all()
      ingress:
        - action: Pass
          source:
            namespaceSelector: shape == 'circle'
        - action: Allow
    """),
    ingress=lambda s, d, p: True if d == "x/a" else (ns(s) not in ("x", "z") if ns(d) == "y" else False),
)

case(
    "adminnetworkpolicy-tiers-between-calico-tiers",
    "https://docs.tigera.io/calico/3.30/network-policy/policy-tiers/tiered-policy, sections 'The admin network policy "
    "tier' (AdminNetworkPolicies in a tier of order 1,000 with default action Pass) and 'The baseline admin network "
    "policy tier' (order 10,000,000, default action Pass), with 'Tier order' and 'Policy action rules'. Tier order: "
    "security (100) < AdminNetworkPolicy tier (1,000) < platform (2,000) < default (1,000,000) < baseline. security "
    "denies z/b and passes the rest; the AdminNetworkPolicy allows namespace z; platform denies namespace y and "
    "passes the rest; in the default tier a Kubernetes NetworkPolicy lets namespace x into y/a; the "
    "BaselineAdminNetworkPolicy denies namespace x everywhere else.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: security
    spec:
      order: 100
    ---
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: platform
    spec:
      order: 2000
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: security.deny-z-b
    spec:
      tier: security
      selector: all()
      ingress:
        - action: Deny
          source:
            selector: pod == 'b' && projectcalico.org/namespace == 'z'
        - action: Pass
    ---
    apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata:
      name: allow-from-z
    spec:
      priority: 10
      subject:
        namespaces: {}
      ingress:
      - name: allow-z
        action: Allow
        from:
        - namespaces:
            matchLabels:
              ns: z
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: platform.deny-y
    spec:
      tier: platform
      selector: all()
      ingress:
        - action: Deny
          source:
            namespaceSelector: ns == 'y'
        - action: Pass
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: allow-x-to-a
      namespace: "y"
    spec:
      podSelector:
        matchLabels:
          pod: a
      ingress:
        - from:
            - namespaceSelector:
                matchLabels:
                  ns: x
    ---
    apiVersion: policy.networking.k8s.io/v1alpha1
    kind: BaselineAdminNetworkPolicy
    metadata:
      name: default
    spec:
      subject:
        namespaces: {}
      ingress:
      - name: deny-x
        action: Deny
        from:
        - namespaces:
            matchLabels:
              ns: x
    """),
    ingress=lambda s, d, p: (False if s == "z/b" else True if ns(s) == "z" else False if ns(s) == "y"
                             else (ns(s) == "x") if d == "y/a" else ns(s) != "x"),
)

ORDER_DOC = DOCS + "network-policy/get-started/calico-policy/calico-network-policy (Get started with Calico network policy)"
ORDER_FIELD = ("spec.order field documentation in projectcalico/calico api/pkg/apis/projectcalico/v3/"
               "globalnetworkpolicy.go and networkpolicy.go ('If the order is omitted, it may be considered to be "
               "\"infinite\" ... Policies with identical order will be applied in alphanumerical order based on the "
               "Policy \"Name\" within the tier')")

case(
    "policy-order-then-name",
    f"{ORDER_DOC}, section 'Apply network policies in specific order'; {ORDER_FIELD}. a-allow-blue-to-red and "
    "b-deny-blue share order 100, so a-... (allow blue into red pods) comes before b-... (deny blue, allow the rest); "
    "0-allow-all has no order, so despite its name it comes last and never decides.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: 0-allow-all
    spec:
      selector: all()
      ingress:
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: b-deny-blue
    spec:
      order: 100
      selector: all()
      ingress:
        - action: Deny
          source:
            selector: color == 'blue'
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: a-allow-blue-to-red
    spec:
      order: 100
      selector: color == 'red'
      ingress:
        - action: Allow
          source:
            selector: color == 'blue'
    """),
    ingress=lambda s, d, p: red(d) if blue(s) else True,
)

case(
    "policy-order-name-tiebreak-across-kinds",
    f"{ORDER_FIELD}. A NetworkPolicy named aaa-allow-blue (namespace x) and a GlobalNetworkPolicy named "
    "zzz-deny-blue, both order 100 in the default tier: by name, aaa-allow-blue is applied first, so x/b -> x/a is "
    "allowed; other blue sources into x/a (outside the NetworkPolicy's namespace scope) and blue sources elsewhere are "
    "denied by zzz-deny-blue. (Felix agrees: felix/calc/policy_sorter.go PolKVLess breaks equal orders on "
    "name/namespace/kind, name first.)",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: zzz-deny-blue
    spec:
      order: 100
      selector: all()
      ingress:
        - action: Deny
          source:
            selector: color == 'blue'
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: aaa-allow-blue
      namespace: x
    spec:
      order: 100
      selector: pod == 'a'
      ingress:
        - action: Allow
          source:
            selector: color == 'blue'
    """),
    ingress=lambda s, d, p: (s == "x/b" and d == "x/a") if blue(s) else True,
)

case(
    "policy-order-allow-cluster-internal-before-drop-other",
    f"{ORDER_DOC}, section 'Apply network policies in specific order' (allow-cluster-internal-ingress, order 10, is "
    "applied before drop-other-ingress, order 20). The elided rules are filled in: the allow policy admits sources in "
    "10.0.1.0/24 and 10.0.2.0/24 (namespaces x and y), the drop policy denies all ingress.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: drop-other-ingress
    spec:
      order: 20
      ingress:
        - action: Deny
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: allow-cluster-internal-ingress
    spec:
      order: 10
      ingress:
        - action: Allow
          source:
            nets:
              - 10.0.1.0/24
              - 10.0.2.0/24
    """),
    ingress=lambda s, d, p: ns(s) in ("x", "y"),
)

case(
    "pass-in-last-tier-reaches-profile",
    f"{TIER_REF} ('If the last Tier applying to the endpoint Passes the packet, that endpoint's Profiles are "
    "evaluated'); Kubernetes namespace profiles allow all ingress and egress (projectcalico/calico libcalico-go/lib/"
    "backend/k8s/conversion/conversion.go NamespaceToProfile; "
    f"{DOCS}network-policy/get-started/kubernetes-default-deny: 'If no network policies apply to a pod, then all "
    "traffic to/from that pod is allowed'). A default-tier policy passes blue sources and denies the rest.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: default.pass-blue
    spec:
      tier: default
      selector: all()
      ingress:
        - action: Pass
          source:
            selector: color == 'blue'
        - action: Deny
    """),
    ingress=lambda s, d, p: blue(s),
)

case(
    "no-policy-endpoints-allowed",
    f"{DOCS}network-policy/get-started/kubernetes-default-deny, section 'Default deny/allow behavior' ('If no network "
    f"policies apply to a pod, then all traffic to/from that pod is allowed'); {TIERED}, section 'Policy endpoint "
    "matching across tiers'. A tier and a namespaced policy exist, but their selectors match no pod: nothing changes.",
    ["80/TCP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: Tier
    metadata:
      name: security
    spec:
      order: 300
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: security.nothing
    spec:
      tier: security
      selector: has(no-such-label)
      types:
        - Ingress
        - Egress
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: selects-nobody
      namespace: "y"
    spec:
      selector: color == 'purple'
      types:
        - Ingress
        - Egress
    """),
    allowed=lambda s, d, p: True,
)

# ---------------------------------------------------------------------------------------------------------------------
# Default deny, tutorial
# ---------------------------------------------------------------------------------------------------------------------

DEFAULT_DENY = DOCS + "network-policy/get-started/kubernetes-default-deny (Enable a default deny policy for Kubernetes pods)"

case(
    "default-deny-calico-networkpolicy",
    f"{DEFAULT_DENY}, section 'Create a default deny network policy', Calico NetworkPolicy default-deny (namespace "
    "engineering -> x): selector all(), types Ingress and Egress, no rules. Every flow to or from a pod of x is "
    "denied.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: x
    spec:
      selector: all()
      types:
        - Ingress
        - Egress
    """),
    allowed=lambda s, d, p: ns(s) != "x" and ns(d) != "x",
)

case(
    "default-deny-kubernetes-networkpolicy-equivalent",
    f"{DEFAULT_DENY}, section 'Create a default deny network policy', the 'equivalent default deny Kubernetes network "
    "policy' (namespace engineering -> x), placed by Calico in the default tier: same outcome as the Calico one.",
    ["80/TCP"],
    y("""
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: x
    spec:
      podSelector: {}
      policyTypes:
        - Ingress
        - Egress
    """),
    allowed=lambda s, d, p: ns(s) != "x" and ns(d) != "x",
)

case(
    "default-deny-global-non-system-namespaces",
    f"{DEFAULT_DENY}, section 'Best practice #2: Keep the scope to non-system pods', GlobalNetworkPolicy "
    "deny-app-policy (verbatim): namespaceSelector excludes kube-system (and other system namespaces); egress to "
    "k8s-app == \"kube-dns\" on UDP/TCP 53 is allowed; everything else of the selected pods is denied after all other "
    "policy ('the traffic is denied after all other policy is evaluated'). kube-system/coredns is not selected.",
    ["53/UDP", "53/TCP", "80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: deny-app-policy
    spec:
      namespaceSelector: kubernetes.io/metadata.name not in {"calico-system", "kube-public", "kube-system", "tigera-operator"}
      types:
      - Ingress
      - Egress
      egress:
       # allow all namespaces to communicate to DNS pods
      - action: Allow
        protocol: UDP
        destination:
          selector: 'k8s-app == "kube-dns"'
          ports:
          - 53
      - action: Allow
        protocol: TCP
        destination:
          selector: 'k8s-app == "kube-dns"'
          ports:
          - 53
    """),
    ingress=lambda s, d, p: ns(d) == "kube-system",
    egress=lambda s, d, p: ns(s) == "kube-system" or (d == "kube-system/coredns" and p in ("53/UDP", "53/TCP")),
)

case(
    "default-deny-global-all-endpoints",
    f"{DEFAULT_DENY}, section \"Don't try this!\", GlobalNetworkPolicy default.default-deny (tier default, selector "
    "all(), types Ingress and Egress; verbatim). It selects every pod, including kube-system's: everything is denied.",
    ["80/TCP", "53/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: default.default-deny
    spec:
      tier: default
      selector: all()
      types:
        - Ingress
        - Egress
    """),
    allowed=lambda s, d, p: False,
)

TUTORIAL = DOCS + "network-policy/get-started/calico-policy/calico-policy-tutorial (Calico policy tutorial)"
TUTORIAL_DENY = """
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: default-deny
    spec:
      selector: projectcalico.org/namespace not in  {'kube-system', 'calico-system', 'calico-apiserver'}
      types:
      - Ingress
      - Egress
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-busybox-egress
      namespace: z
    spec:
      selector: run == 'access'
      types:
      - Egress
      egress:
      - action: Allow
"""

case(
    "tutorial-step3-allow-busybox-egress",
    f"{TUTORIAL}, steps 2 and 3 (GlobalNetworkPolicy default-deny with selector projectcalico.org/namespace not in "
    "{'kube-system', 'calico-system', 'calico-apiserver'}; NetworkPolicy allow-busybox-egress; namespace "
    "advanced-policy-demo -> z, the access pod -> z/b with run=access, nginx -> z/a). Only the access pod may send, and "
    "only kube-system (not selected by default-deny) accepts.",
    ["80/TCP"],
    y(TUTORIAL_DENY),
    ingress=lambda s, d, p: ns(d) == "kube-system",
    egress=lambda s, d, p: ns(s) == "kube-system" or s == "z/b",
)

case(
    "tutorial-step4-allow-nginx-ingress",
    f"{TUTORIAL}, step 4 (adds NetworkPolicy allow-nginx-ingress: app == 'nginx' accepts run == 'access'): the access "
    "pod z/b now reaches nginx z/a.",
    ["80/TCP"],
    y(TUTORIAL_DENY) + "---\n" + y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-nginx-ingress
      namespace: z
    spec:
      selector: app == 'nginx'
      types:
      - Ingress
      ingress:
      - action: Allow
        source:
          selector: run == 'access'
    """),
    ingress=lambda s, d, p: ns(d) == "kube-system" or (d == "z/a" and s == "z/b"),
    egress=lambda s, d, p: ns(s) == "kube-system" or s == "z/b",
)

# ---------------------------------------------------------------------------------------------------------------------
# Actions: Log, Deny vs Allow, first match
# ---------------------------------------------------------------------------------------------------------------------

LOG = DOCS + "network-policy/policy-rules/log-rules (Use log rules to test network policy)"

case(
    "log-only-policy-ends-in-implicit-deny",
    f"{LOG}, section 'Log traffic for a namespace', NetworkPolicy log-everything-in-ns (verbatim, namespace -> x), and "
    "the guideline 'Always pair a log action with an explicit Allow rule immediately after it. Otherwise, traffic may "
    "be denied due to the tier's implicit default action'; _rule reference: 'After a Log action, processing continues "
    "with the next rule'. With Log rules only, x's pods are selected by the default tier and nothing allows: every "
    "flow to or from x is denied.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: log-everything-in-ns
      namespace: x
    spec:
      order: 100001
      tier: default
      types:
      - Ingress
      - Egress
      egress:
      - action: Log
      ingress:
      - action: Log
    """),
    allowed=lambda s, d, p: ns(s) != "x" and ns(d) != "x",
)

case(
    "log-then-deny-continues-to-next-policy",
    f"{ORDER_DOC}, section 'Generate logs for specific traffic' (NetworkPolicy allow-tcp-6379 with Log then Deny for "
    f"TCP from role == 'frontend'; namespace production -> x; given order 100, since without an order it would come "
    f"after every ordered policy) and {LOG}, section 'Log all traffic for a cluster' "
    "(GlobalNetworkPolicy log-everything-in-cluster, order 100000, tier default, with the recommended Allow after each "
    "Log). x/b (frontend, same namespace) -> x/a (database) over TCP is logged then denied; everything else falls "
    "through allow-tcp-6379 (including x/a's egress, which it governs with no rule) to the next policy, which logs "
    "and allows.",
    ["80/TCP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-tcp-6379
      namespace: x
    spec:
      order: 100
      selector: role == 'database'
      types:
        - Ingress
        - Egress
      ingress:
        - action: Log
          protocol: TCP
          source:
            selector: role == 'frontend'
        - action: Deny
          protocol: TCP
          source:
            selector: role == 'frontend'
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: log-everything-in-cluster
    spec:
      order: 100000
      tier: default
      types:
      - Ingress
      - Egress
      egress:
      - action: Log
      - action: Allow
      ingress:
      - action: Log
      - action: Allow
    """),
    allowed=lambda s, d, p: not (s == "x/b" and d == "x/a" and tcp(p)),
)

GETSTARTED = ORDER_DOC
RULE_REF = DOCS + "reference/resources/networkpolicy, section Rule ('Allow and Deny are immediate and final and no further rules are processed')"

case(
    "rule-order-first-match-decides",
    f"{GETSTARTED}, section 'Control traffic to/from endpoints independent of namespace' (GlobalNetworkPolicy "
    f"deny-blue: TCP from blue into red is denied) followed by an Allow rule; {RULE_REF}. For red pods the Deny comes "
    "first (blue TCP denied, blue UDP allowed); for the green pod an Allow of blue TCP comes before a Deny of blue "
    "(blue UDP denied), and others are allowed.",
    ["80/TCP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: deny-blue
    spec:
      selector: color == 'red'
      ingress:
        - action: Deny
          protocol: TCP
          source:
            selector: color == 'blue'
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: green-allow-blue-tcp-first
    spec:
      selector: color == 'green'
      ingress:
        - action: Allow
          protocol: TCP
          source:
            selector: color == 'blue'
        - action: Deny
          source:
            selector: color == 'blue'
        - action: Allow
    """),
    ingress=lambda s, d, p: (not (blue(s) and tcp(p))) if red(d) else ((tcp(p) if blue(s) else True) if green(d) else True),
)

case(
    "deny-only-policy-denies-everything-else-too",
    f"{GETSTARTED}, section 'Control traffic to/from endpoints independent of namespace', GlobalNetworkPolicy "
    f"deny-blue (verbatim) alone; {TIER_REF} (a tier that applies to the endpoint but takes no action drops the "
    "packet). The policy selects red pods and only denies blue TCP: all other ingress into red pods also ends at the "
    "default tier's implicit deny.",
    ["80/TCP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: deny-blue
    spec:
      selector: color == 'red'
      ingress:
        - action: Deny
          protocol: TCP
          source:
            selector: color == 'blue'
    """),
    ingress=lambda s, d, p: not red(d),
)

case(
    "gnp-deny-circle-blue-then-allow",
    f"{GETSTARTED}, section 'Control traffic to/from endpoints independent of namespace', GlobalNetworkPolicy "
    "deny-circle-blue (verbatim, given order 100) followed by an allow-all policy for red pods (order 200). TCP from "
    "blue pods in namespaces with shape == 'circle' (x/b, z/a) into red pods is denied; blue y/b (square) and UDP are "
    "allowed.",
    ["80/TCP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: deny-circle-blue
    spec:
      order: 100
      selector: color == 'red'
      ingress:
        - action: Deny
          protocol: TCP
          source:
            selector: color == 'blue'
            namespaceSelector: shape == 'circle'
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: allow-to-red
    spec:
      order: 200
      selector: color == 'red'
      ingress:
        - action: Allow
    """),
    ingress=lambda s, d, p: not (red(d) and tcp(p) and blue(s) and ns(s) in ("x", "z")),
)

# ---------------------------------------------------------------------------------------------------------------------
# Namespaces and scope
# ---------------------------------------------------------------------------------------------------------------------

NSPOL = DOCS + "network-policy/policy-rules/namespace-policy (Use namespace rules in policy)"
SCOPES = DOCS + "reference/resources/networkpolicy, section Selectors ('Understanding scopes and the all() and global() operators')"

case(
    "networkpolicy-scoped-to-its-namespace",
    f"{NSPOL} and {GETSTARTED}, section 'Control traffic to/from endpoints in a namespace', NetworkPolicy "
    "allow-tcp-6379 (namespace production -> x, port 6379 -> 80): red pods of x accept TCP 80 only from blue pods of "
    f"the same namespace. {SCOPES}: the policy selector selects only x's pods (y/a, also red, is unaffected) and the "
    "rule selector matches only x's pods (blue y/b and z/a are not sources).",
    ["80/TCP", "81/TCP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-tcp-6379
      namespace: x
    spec:
      selector: color == 'red'
      ingress:
        - action: Allow
          protocol: TCP
          source:
            selector: color == 'blue'
          destination:
            ports:
              - 80
    """),
    ingress=lambda s, d, p: (s == "x/b" and p == "80/TCP") if d == "x/a" else True,
)

case(
    "networkpolicy-rule-namespaceselector-sets-the-scope",
    f"{NSPOL}, second example (rule namespaceSelector shape == 'circle'; namespace production -> y, port 6379 -> 80); "
    "EntityRule reference: namespaceSelector 'Defines the scope that selectors will apply to'. The policy lives in y "
    "(shape square): blue pods of circle namespaces (x/b, z/a) are admitted into y/a on TCP 80, the blue pod of y "
    "itself (y/b) is not.",
    ["80/TCP", "81/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-tcp-6379
      namespace: "y"
    spec:
      selector: color == 'red'
      ingress:
        - action: Allow
          protocol: TCP
          source:
            selector: color == 'blue'
            namespaceSelector: shape == 'circle'
          destination:
            ports:
              - 80
    """),
    ingress=lambda s, d, p: (s in ("x/b", "z/a") and p == "80/TCP") if d == "y/a" else True,
)

case(
    "gnp-namespaceselector-restrict-development-access",
    f"{NSPOL}, section 'Use Kubernetes RBAC to control namespace label assignment', GlobalNetworkPolicy "
    "restrict-development-access (verbatim): pods of namespaces labelled environment == development (x, z) may talk "
    "only to such namespaces, both ways (types default to Ingress and Egress as both rule lists are present).",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: restrict-development-access
    spec:
      namespaceSelector: 'environment == "development"'
      ingress:
        - action: Allow
          source:
            namespaceSelector: 'environment == "development"'
      egress:
        - action: Allow
          destination:
            namespaceSelector: 'environment == "development"'
    """),
    ingress=lambda s, d, p: (ns(s) in ("x", "z")) if ns(d) in ("x", "z") else True,
    egress=lambda s, d, p: (ns(d) in ("x", "z")) if ns(s) in ("x", "z") else True,
)

case(
    "networkpolicy-rule-namespaceselector-name-label-and-all",
    f"{DOCS}network-policy/get-started/calico-policy/calico-labels, section 'Labels for matching namespaces' "
    "(projectcalico.org/name in a namespaceSelector); EntityRule reference (namespaceSelector; selector scope); "
    "_selectors reference (all()). A NetworkPolicy in x admits into x/c every pod of namespace z, and red pods of "
    "every namespace (namespaceSelector all()).",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-to-c
      namespace: x
    spec:
      selector: pod == 'c'
      ingress:
        - action: Allow
          source:
            namespaceSelector: projectcalico.org/name == 'z'
        - action: Allow
          source:
            namespaceSelector: all()
            selector: color == 'red'
    """),
    ingress=lambda s, d, p: (ns(s) == "z" or red(s)) if d == "x/c" else True,
)

LABELS = DOCS + "network-policy/get-started/calico-policy/calico-labels (Calico automatic labels)"

case(
    "labels-foo-and-bar-namespaceselector",
    f"{LABELS}, section 'Labels for matching namespaces', GlobalNetworkPolicy foo-and-bar (namespaces foo, bar, baz -> "
    "x, y, z; port 8080 -> 80; protocol: TCP added, as Calico requires a protocol for ports): red pods of x and y "
    "accept TCP 80 from every pod of z only.",
    ["80/TCP", "81/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: foo-and-bar
    spec:
      namespaceSelector: projectcalico.org/name in {"x", "y"}
      selector: color == "red"
      types:
      - Ingress
      ingress:
      - action: Allow
        protocol: TCP
        source:
          namespaceSelector: projectcalico.org/name == "z"
        destination:
          ports:
          - 80
    """),
    ingress=lambda s, d, p: (ns(s) == "z" and p == "80/TCP") if (red(d) and ns(d) in ("x", "y")) else True,
)

case(
    "labels-foo-and-bar-projectcalico-namespace-label",
    f"{LABELS}, section 'Labels for matching workload endpoints', the GlobalNetworkPolicy foo-and-bar written with "
    "projectcalico.org/namespace in the selectors ('exactly equivalent to the example shown in the Namespaces "
    "section'); same adaptation and same outcome.",
    ["80/TCP", "81/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: foo-and-bar
    spec:
      selector: projectcalico.org/namespace in {"x", "y"} && color == "red"
      types:
      - Ingress
      ingress:
      - action: Allow
        protocol: TCP
        source:
          selector: projectcalico.org/namespace == "z"
        destination:
          ports:
          - 80
    """),
    ingress=lambda s, d, p: (ns(s) == "z" and p == "80/TCP") if (red(d) and ns(d) in ("x", "y")) else True,
)

# ---------------------------------------------------------------------------------------------------------------------
# Selectors
# ---------------------------------------------------------------------------------------------------------------------

SELECTORS = DOCS + "reference/resources/networkpolicy, section Selectors (operator table and precedence)"


def selector_case(name, what, policy_selector, rule_selector, dst_match, src_match):
    case(
        name,
        f"{SELECTORS}: {what}. A GlobalNetworkPolicy with selector `{policy_selector}` admits only sources matching "
        f"`{rule_selector}`. Selected: {', '.join(sorted(p for p in PODS if dst_match(p)))}; admitted sources: "
        f"{', '.join(sorted(p for p in PODS if src_match(p)))}.",
        ["80/TCP"],
        y(f"""
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: {name}
        spec:
          selector: {json.dumps(policy_selector)}
          ingress:
            - action: Allow
              source:
                selector: {json.dumps(rule_selector)}
        """),
        ingress=lambda s, d, p: src_match(s) if dst_match(d) else True,
    )


selector_case(
    "selector-has-and-in", "has(k) and k in { 'v1', 'v2' }",
    "has(env)", "role in {'frontend', 'business'}",
    lambda p: lab(p, "env") is not None,
    lambda p: lab(p, "role") in ("frontend", "business"))

selector_case(
    "selector-not-in-and-not-equal",
    "k not in {...} and k != 'v' match resources without the label k too",
    "env not in {'stage'}", "color != 'blue'",
    lambda p: lab(p, "env") != "stage",
    lambda p: lab(p, "color") != "blue")

selector_case(
    "selector-starts-ends-contains-or",
    "k starts with 's', k ends with 's', k contains 's', ||",
    "my-label starts with 'prod'", "my-label ends with 'eu' || my-label contains 'de'",
    lambda p: (lab(p, "my-label") or "").startswith("prod"),
    lambda p: (lab(p, "my-label") or "").endswith("eu") or "de" in (lab(p, "my-label") or ""))

selector_case(
    "selector-precedence-doc-example",
    "the precedence example `! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}`, "
    "bracketed as `((!(has(my-label)) || ((my-label starts with 'prod') && (role in {'frontend','business'}))`; "
    "the policy selector `!(color == 'red' || color == 'blue') && has(role)` uses !, parentheses and &&",
    "!(color == 'red' || color == 'blue') && has(role)",
    "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}",
    lambda p: lab(p, "color") not in ("red", "blue") and lab(p, "role") is not None,
    lambda p: lab(p, "my-label") is None or ((lab(p, "my-label") or "").startswith("prod") and lab(p, "role") in ("frontend", "business")))

case(
    "selector-all-in-rule-vs-no-selector",
    f"{DOCS}reference/resources/networkpolicy, section EntityRule ('A rule with a selector all() won't match \"all "
    "packets\", it will match \"packets from all in-scope endpoints and network sets\". To match all packets, do not "
    f"include a selector in the rule at all'); {SCOPES}. In x, source selector all() admits only x's pods; in y, a "
    "rule without selector admits everyone.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: from-all-in-scope
      namespace: x
    spec:
      selector: all()
      ingress:
        - action: Allow
          source:
            selector: all()
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: from-anywhere
      namespace: "y"
    spec:
      selector: all()
      ingress:
        - action: Allow
    """),
    ingress=lambda s, d, p: ns(s) == "x" if ns(d) == "x" else True,
)

case(
    "selector-not-all-matches-nothing",
    f"{SELECTORS} ('To match no resources, combine this operator with ! to form !all()'). A policy with selector "
    "!all() and no rules applies to no pod (no effect); a rule with source selector !all() admits nobody, so red pods "
    "(selected by that policy) accept nothing.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: deny-nothing
    spec:
      selector: "!all()"
      types:
        - Ingress
        - Egress
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: red-from-nobody
    spec:
      selector: color == 'red'
      ingress:
        - action: Allow
          source:
            selector: "!all()"
    """),
    ingress=lambda s, d, p: not red(d),
)

case(
    "notselector-excludes-matching-endpoints",
    f"{DOCS}reference/resources/networkpolicy, section EntityRule, 'Understanding notSelector' (notSelector negates the "
    "packet match: 'matches packets from/to anywhere ... except traffic from/to endpoints and network sets that have "
    "the label') and the notSelector/namespaceSelector rows. A GlobalNetworkPolicy lets red pods accept everything but "
    "blue pods; a NetworkPolicy in z accepts pods of any namespace that have a role other than frontend.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: red-not-from-blue
    spec:
      selector: color == 'red'
      ingress:
        - action: Allow
          source:
            notSelector: color == 'blue'
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: roles-but-not-frontend
      namespace: z
    spec:
      selector: all()
      ingress:
        - action: Allow
          source:
            namespaceSelector: all()
            selector: has(role)
            notSelector: role == 'frontend'
    """),
    ingress=lambda s, d, p: (not blue(s)) if red(d) else ((lab(s, "role") not in (None, "frontend")) if ns(d) == "z" else True),
)

# ---------------------------------------------------------------------------------------------------------------------
# Service accounts
# ---------------------------------------------------------------------------------------------------------------------

SAPOL = DOCS + "network-policy/policy-rules/service-accounts (Use service accounts rules in policy)"

case(
    "serviceaccounts-names",
    f"{SAPOL}, section 'Limit ingress traffic for workloads by service account name', NetworkPolicy demo-calico "
    "(namespace prod-engineering -> x): app == 'db' (x/a) accepts pods running as api-service or user-auth-service. "
    "Without a namespaceSelector the match stays in x: x/b (api-service) only; y/a (api-service) and y/b "
    "(user-auth-service) are in y.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: demo-calico
      namespace: x
    spec:
      ingress:
        - action: Allow
          source:
            serviceAccounts:
              names:
                - api-service
                - user-auth-service
      selector: 'app == "db"'
    """),
    ingress=lambda s, d, p: s == "x/b" if d == "x/a" else True,
)

case(
    "serviceaccounts-names-with-namespaceselector",
    f"{SAPOL} (demo-calico) with namespaceSelector all() added to the source; EntityRule reference ('If a "
    "namespaceSelector is also defined, the set of service accounts this applies to is limited to the service accounts "
    "in the selected namespaces'). Now api-service and user-auth-service of every namespace are admitted: x/b, y/a, "
    "y/b.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: demo-calico
      namespace: x
    spec:
      ingress:
        - action: Allow
          source:
            namespaceSelector: all()
            serviceAccounts:
              names:
                - api-service
                - user-auth-service
      selector: 'app == "db"'
    """),
    ingress=lambda s, d, p: s in ("x/b", "y/a", "y/b") if d == "x/a" else True,
)

case(
    "serviceaccounts-selector",
    f"{SAPOL}, section 'Limit ingress traffic for workloads by service account label', NetworkPolicy "
    "allow-web-frontend (namespace prod-engineering -> x): x/a accepts pods whose service account is labelled "
    "app == web-frontend, in x only (x/b; y/a's service account has the label too but is in y).",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-web-frontend
      namespace: x
    spec:
      ingress:
        - action: Allow
          source:
            serviceAccounts:
              selector: 'app == "web-frontend"'
      selector: 'app == "db"'
    """),
    ingress=lambda s, d, p: s == "x/b" if d == "x/a" else True,
)

INTERNS_X = ("x/a", "x/c")

case(
    "serviceaccountselector-restrict-intern-access",
    f"{SAPOL}, section 'Use Kubernetes RBAC to control service account label assignment', NetworkPolicy "
    "restrict-intern-access (namespace prod-engineering -> x; verbatim otherwise): pods of x running as a service "
    "account labelled role == intern (x/a as db, x/c as intern) talk only to each other; z/b (intern in z) is out of "
    "the namespace's scope.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: restrict-intern-access
      namespace: x
    spec:
      serviceAccountSelector: 'role == "intern"'
      ingress:
        - action: Allow
          source:
            serviceAccounts:
              selector: 'role == "intern"'
      egress:
        - action: Allow
          destination:
            serviceAccounts:
              selector: 'role == "intern"'
    """),
    ingress=lambda s, d, p: (s in INTERNS_X) if d in INTERNS_X else True,
    egress=lambda s, d, p: (d in INTERNS_X) if s in INTERNS_X else True,
)

case(
    "gnp-serviceaccountselector-by-name-label",
    f"{DOCS}reference/resources/globalnetworkpolicy, spec.serviceAccountSelector ('Select all service accounts in the "
    f"cluster with a specific name using the projectcalico.org/name label'); {LABELS}, section 'Labels for matching "
    "service accounts'; ServiceAccountMatch names. Pods running as a service account named intern (x/c, z/b) accept "
    "only pods running as intern.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: interns-only
    spec:
      serviceAccountSelector: projectcalico.org/name == 'intern'
      ingress:
        - action: Allow
          source:
            serviceAccounts:
              names:
                - intern
    """),
    ingress=lambda s, d, p: (s in ("x/c", "z/b")) if d in ("x/c", "z/b") else True,
)

# ---------------------------------------------------------------------------------------------------------------------
# Network sets, nets
# ---------------------------------------------------------------------------------------------------------------------

case(
    "networkset-selected-by-labels-in-its-namespace",
    f"{DOCS}reference/resources/networkset (NetworkSet external-database with label role: db; namespace staging -> x; "
    "nets -> 10.0.2.0/24, the pod range of y): 'When Calico is calculating the set of IPs that should match a "
    "source/destination selector ... it includes the CIDRs from any network sets that match the selector', and "
    "'NetworkSets in a specific namespace only applies to network policies in that namespace'. x/a may send only to "
    "the set's addresses (y's pods); the same rule in z matches nothing, so z's pods may send nowhere.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkSet
    metadata:
      name: external-database
      namespace: x
      labels:
        role: db
    spec:
      nets:
        - 10.0.2.0/24
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-egress-to-external-database
      namespace: x
    spec:
      selector: color == 'red'
      types:
        - Egress
      egress:
        - action: Allow
          destination:
            selector: role == 'db'
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-egress-to-db
      namespace: z
    spec:
      selector: all()
      types:
        - Egress
      egress:
        - action: Allow
          destination:
            selector: role == 'db'
    """),
    egress=lambda s, d, p: ns(d) == "y" if s == "x/a" else (False if ns(s) == "z" else True),
)

case(
    "globalnetworkset-from-gnp-and-global-namespaceselector",
    f"{DOCS}reference/resources/globalnetworkset (GlobalNetworkSet a-name-for-the-set with label role: "
    "external-database; nets -> 10.0.3.0/24, the pod range of z): its CIDRs match selectors of a global network policy "
    "rule 'or within a network policy rule whose namespaceSelector includes global()'; "
    f"{SCOPES}. Red pods (GlobalNetworkPolicy) and x/c (namespaceSelector global()) accept z's pods; x/b's "
    "NetworkPolicy without global() matches nothing, so x/b accepts nobody.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkSet
    metadata:
      name: a-name-for-the-set
      labels:
        role: external-database
    spec:
      nets:
        - 10.0.3.0/24
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: allow-from-external-database
    spec:
      selector: color == 'red'
      ingress:
        - action: Allow
          source:
            selector: role == 'external-database'
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: b-without-global
      namespace: x
    spec:
      selector: pod == 'b'
      ingress:
        - action: Allow
          source:
            selector: role == 'external-database'
    ---
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: c-with-global
      namespace: x
    spec:
      selector: pod == 'c'
      ingress:
        - action: Allow
          source:
            selector: role == 'external-database'
            namespaceSelector: global()
    """),
    ingress=lambda s, d, p: (ns(s) == "z") if (red(d) or d == "x/c") else (False if d == "x/b" else True),
)

case(
    "nets-egress-to-cidr",
    f"{GETSTARTED}, section 'Control traffic to/from endpoints using IP addresses or CIDR ranges', NetworkPolicy "
    "allow-egress-external (namespace production -> x; 1.2.3.0/24 -> 10.0.2.0/24, the pods of y): x/a (red) may send "
    "only to y's addresses; nets are not limited to the policy's namespace.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: allow-egress-external
      namespace: x
    spec:
      selector: color == 'red'
      types:
        - Egress
      egress:
        - action: Allow
          destination:
            nets:
              - 10.0.2.0/24
    """),
    egress=lambda s, d, p: ns(d) == "y" if s == "x/a" else True,
)

case(
    "nets-notnets-and-selector-with-nets",
    f"{DOCS}reference/resources/networkpolicy, section EntityRule (nets; notNets 'Match packets with IP not in any of "
    "the listed CIDRs'; 'If the rule contains multiple match criteria ... all match criteria must match'); bare "
    "addresses are read as /32 (ParseCIDROrIP). Blue pods accept sources outside 10.0.2.0/24 and 10.0.4.1, plus red "
    "pods inside 10.0.2.0/24 (y/a).",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: blue-ingress-by-address
    spec:
      selector: color == 'blue'
      ingress:
        - action: Allow
          source:
            notNets:
              - 10.0.2.0/24
              - 10.0.4.1
        - action: Allow
          source:
            selector: color == 'red'
            nets:
              - 10.0.2.0/24
    """),
    ingress=lambda s, d, p: ((ns(s) != "y" and s != "kube-system/coredns") or s == "y/a") if blue(d) else True,
)

# ---------------------------------------------------------------------------------------------------------------------
# Ports, protocols, ICMP, types
# ---------------------------------------------------------------------------------------------------------------------

PORTS = DOCS + "reference/resources/networkpolicy, section Ports (int, start:end, named port; ports: [8080, '1234:5678', 'named-port'])"

case(
    "ports-numbers-ranges-and-notports",
    f"{PORTS}; EntityRule ports/notPorts. Every pod accepts TCP 80 and TCP 8080-8082 except 8081, and UDP 53 "
    "(written as the string '53').",
    ["80/TCP", "81/TCP", "8080/TCP", "8081/TCP", "8082/TCP", "8083/TCP", "53/UDP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: ports
    spec:
      selector: all()
      ingress:
        - action: Allow
          protocol: TCP
          destination:
            ports: [80, '8080:8082']
            notPorts: [8081]
        - action: Allow
          protocol: UDP
          destination:
            ports: ['53']
    """),
    ingress=lambda s, d, p: p in ("80/TCP", "8080/TCP", "8082/TCP", "53/UDP"),
)

case(
    "named-ports",
    f"{PORTS}, 'Named ports' (a named port http-port mapping to 80 on some workloads and 8080 on others). A TCP rule "
    "with port http-port admits TCP 80 into x/a and TCP 8080 into y/a; z/a's http-port is UDP, so the TCP rule does "
    "not open it; pods without the name accept nothing.",
    ["80/TCP", "81/TCP", "8080/TCP", "80/UDP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: http-port
    spec:
      selector: all()
      ingress:
        - action: Allow
          protocol: TCP
          destination:
            ports:
              - http-port
    """),
    ingress=lambda s, d, p: (d == "x/a" and p == "80/TCP") or (d == "y/a" and p == "8080/TCP"),
)

case(
    "protocol-notprotocol-numbers-ipversion",
    f"{RULE_REF}; Rule fields protocol and notProtocol (names or numbers 1-255; 132 is SCTP) and ipVersion. Rules in "
    "order: an IPv6-only Allow (never matches these IPv4 flows), Deny protocol 132, Allow TCP 80, Allow anything not "
    "TCP. SCTP is analysed though this kernel has no SCTP.",
    ["80/TCP", "81/TCP", "80/UDP", "81/UDP", "80/SCTP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: protocols
    spec:
      selector: all()
      ingress:
        - action: Allow
          ipVersion: 6
        - action: Deny
          protocol: 132
        - action: Allow
          protocol: TCP
          destination:
            ports: [80]
        - action: Allow
          notProtocol: TCP
    """),
    ingress=lambda s, d, p: p in ("80/TCP", "80/UDP", "81/UDP"),
)

ICMP = DOCS + "network-policy/policy-rules/icmp-ping (Use ICMP/ping rules in policy)"
BLOCK_ICMP = """
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: block-icmp
    spec:
      order: 200
      selector: all()
      types:
        - Ingress
        - Egress
      ingress:
        - action: Deny
          protocol: ICMP
        - action: Deny
          protocol: ICMPv6
      egress:
        - action: Deny
          protocol: ICMP
        - action: Deny
          protocol: ICMPv6
"""

case(
    "icmp-block-icmp-is-also-a-default-deny",
    f"{ICMP}, section 'Deny all ICMP, all workloads and host endpoints', GlobalNetworkPolicy block-icmp (verbatim): "
    "'This policy selects all workloads and host endpoints. It enables a default deny for all workloads and host "
    "endpoints, in addition to the explicit ICMP deny rules'. ICMP flows cannot be probed here; TCP and UDP flows "
    "match no rule and are denied.",
    ["80/TCP", "53/UDP"],
    y(BLOCK_ICMP),
    allowed=lambda s, d, p: False,
)

case(
    "icmp-block-icmp-then-allow-tcp",
    f"{ICMP}, block-icmp (order 200) with the advice 'be sure to specify a lower order (order:200) than regular "
    "policies that might allow traffic': a regular policy of order 300 allows TCP ingress and all egress. ICMP deny "
    "rules do not match TCP or UDP: TCP is allowed, UDP ingress ends at the implicit deny.",
    ["80/TCP", "53/UDP"],
    y(BLOCK_ICMP) + "---\n" + y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: allow-tcp
    spec:
      order: 300
      selector: all()
      types:
        - Ingress
        - Egress
      ingress:
        - action: Allow
          protocol: TCP
      egress:
        - action: Allow
    """),
    allowed=lambda s, d, p: tcp(p),
)

case(
    "icmp-rules-and-orchestrator-label",
    f"{ICMP}, sections 'Allow ICMP ping' and 'Allow ICMP matching protocol type and code, all Kubernetes pods' "
    "(GlobalNetworkPolicy allow-host-unreachable, verbatim, selector projectcalico.org/orchestrator == 'kubernetes'); "
    f"{LABELS}: Calico labels pods projectcalico.org/orchestrator == \"k8s\", so that selector matches no pod and the "
    "policy has no effect. A second policy selecting orchestrator k8s && color == 'red' allows only ICMP echo "
    "requests (type 8) in: TCP into red pods ends at the implicit deny.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: allow-host-unreachable
    spec:
      selector: projectcalico.org/orchestrator == 'kubernetes'
      types:
        - Ingress
      ingress:
        - action: Allow
          protocol: ICMP
          icmp:
            type: 3 # Destination unreachable
            code: 1 # Host unreachable
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: allow-ping-to-red
    spec:
      selector: projectcalico.org/orchestrator == 'k8s' && color == 'red'
      types:
        - Ingress
      ingress:
        - action: Allow
          protocol: ICMP
          source:
            selector: all()
          icmp:
            type: 8 # Ping request
    """),
    ingress=lambda s, d, p: not red(d),
)

NP_REF = DOCS + "reference/resources/networkpolicy, spec.types ('If types has no value, Calico defaults as follows')"

case(
    "types-default-egress-when-only-egress-rules",
    f"{NP_REF}: egress rules only -> Egress. Red pods may not send to blue pods; their ingress is not governed.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: red-egress
    spec:
      selector: color == 'red'
      egress:
        - action: Deny
          destination:
            selector: color == 'blue'
        - action: Allow
    """),
    egress=lambda s, d, p: not blue(d) if red(s) else True,
)

case(
    "types-default-ingress-when-no-rules",
    f"{NP_REF}: no rules -> Ingress. A NetworkPolicy in y with no rules and no types isolates y's pods for ingress "
    "only; their egress is not governed.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: no-rules
      namespace: "y"
    spec:
      selector: all()
    """),
    ingress=lambda s, d, p: ns(d) != "y",
)

# ---------------------------------------------------------------------------------------------------------------------
# Staged policies, host-endpoint-only fields
# ---------------------------------------------------------------------------------------------------------------------

STAGED = DOCS + "network-policy/staged-network-policies (Stage, preview impacts, and enforce policy)"

case(
    "staged-policies-are-never-enforced",
    f"{STAGED} ('test the traffic impact of the policy as if it were enforced, but without changing actual traffic "
    "flow'), examples StagedGlobalNetworkPolicy, StagedNetworkPolicy and StagedKubernetesNetworkPolicy (namespace "
    "default -> x; test-network-policy's peers adapted), plus a staged global default deny. Nothing is enforced.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: StagedGlobalNetworkPolicy
    metadata:
      name: default.allow-tcp-6379
    spec:
      tier: default
      selector: role == 'database'
      types:
        - Ingress
        - Egress
      ingress:
        - action: Allow
          protocol: TCP
          source:
            selector: role == 'frontend'
          destination:
            ports:
              - 6379
      egress:
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: StagedNetworkPolicy
    metadata:
      name: default.allow-tcp-6379
      namespace: x
    spec:
      tier: default
      selector: role == 'database'
      types:
        - Ingress
        - Egress
      ingress:
        - action: Allow
          protocol: TCP
          source:
            selector: role == 'frontend'
          destination:
            ports:
              - 6379
      egress:
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: StagedKubernetesNetworkPolicy
    metadata:
      name: test-network-policy
      namespace: x
    spec:
      podSelector:
        matchLabels:
          role: database
      policyTypes:
        - Ingress
        - Egress
      ingress:
        - from:
            - ipBlock:
                cidr: 10.0.0.0/16
                except:
                  - 10.0.1.0/24
            - namespaceSelector:
                matchLabels:
                  ns: "y"
            - podSelector:
                matchLabels:
                  role: frontend
          ports:
            - protocol: TCP
              port: 6379
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/24
          ports:
            - protocol: TCP
              port: 5978
    ---
    apiVersion: projectcalico.org/v3
    kind: StagedGlobalNetworkPolicy
    metadata:
      name: default.default-deny
    spec:
      tier: default
      selector: all()
      types:
        - Ingress
        - Egress
    """),
    allowed=lambda s, d, p: True,
)

case(
    "staged-delete-does-not-lift-enforced-policy",
    f"{STAGED}; {DOCS}reference/resources/stagednetworkpolicy (stagedAction Set or Delete: a staged change is only "
    "previewed). The enforced NetworkPolicy default-deny of x stays in force although a staged deletion of it and a "
    "staged allow-everything policy exist.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: NetworkPolicy
    metadata:
      name: default-deny
      namespace: x
    spec:
      selector: all()
      types:
        - Ingress
        - Egress
    ---
    apiVersion: projectcalico.org/v3
    kind: StagedNetworkPolicy
    metadata:
      name: default-deny
      namespace: x
    spec:
      stagedAction: Delete
      selector: all()
      types:
        - Ingress
        - Egress
    ---
    apiVersion: projectcalico.org/v3
    kind: StagedGlobalNetworkPolicy
    metadata:
      name: allow-everything
    spec:
      order: 0
      selector: all()
      types:
        - Ingress
        - Egress
      ingress:
        - action: Allow
      egress:
        - action: Allow
    """),
    allowed=lambda s, d, p: ns(s) != "x" and ns(d) != "x",
)

GNP_REF = (DOCS + "reference/resources/globalnetworkpolicy (doNotTrack, preDNAT, applyOnForward 'are meaningful only "
           "when applying policy to a host endpoint'); " + DOCS + "reference/host-endpoints/summary; projectcalico/"
           "calico felix/calc/event_sequencer.go (tierInfoToProtoTierInfo puts doNotTrack and preDNAT policies in "
           "untracked/pre-DNAT tiers, which only host endpoints receive; applyOnForward policies stay in the normal "
           "tiers)")

case(
    "donottrack-policies-do-not-apply-to-workloads",
    f"{DOCS}network-policy/policy-rules/external-ips-policy, section 'Limit traffic to or from external networks, "
    "global network set' (GlobalNetworkSet ip-protect, GlobalNetworkPolicies forward-default-allow and ip-protect, "
    "verbatim except the set's nets -> 10.0.2.0/24 and 10.0.3.0/24; x/a carries apply-ip-protect: 'true'); "
    f"{GNP_REF}. Both policies are doNotTrack: they do not apply to pods, so x/a still accepts y and z.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkSet
    metadata:
      name: ip-protect
      labels:
        ip-deny-list: 'true'
    spec:
      nets:
        - 10.0.2.0/24
        - 10.0.3.0/24
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: forward-default-allow
    spec:
      selector: apply-ip-protect == 'true'
      order: 1000
      doNotTrack: true
      applyOnForward: true
      types:
        - Ingress
      ingress:
        - action: Allow
    ---
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: ip-protect
    spec:
      selector: apply-ip-protect == 'true'
      order: 0
      doNotTrack: true
      applyOnForward: true
      types:
        - Ingress
      ingress:
        - action: Deny
          source:
            selector: ip-deny-list == 'true' && !has(projectcalico.org/namespace)
    """),
    allowed=lambda s, d, p: True,
)

case(
    "prednat-policy-does-not-apply-to-workloads",
    f"{DOCS}network-policy/services/kubernetes-node-ports, section 'Allow cluster ingress traffic but deny general "
    "ingress traffic' (GlobalNetworkPolicy allow-cluster-internal-ingress-only, preDNAT and applyOnForward; selector "
    f"has(kubernetes-host) -> all(); nets -> 10.0.1.0/24); {GNP_REF}. The pre-DNAT policy is not enforced on pods: "
    "nothing is denied.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: allow-cluster-internal-ingress-only
    spec:
      order: 20
      preDNAT: true
      applyOnForward: true
      ingress:
        - action: Allow
          source:
            nets: [10.0.1.0/24]
        - action: Deny
      selector: all()
    """),
    allowed=lambda s, d, p: True,
)

case(
    "applyonforward-policy-applies-to-workloads",
    f"{GNP_REF}: a policy with only applyOnForward true is a normal policy ('If they [doNotTrack, preDNAT] are both "
    "false ... the policy is enforced after connection tracking and any DNAT'). Red pods deny blue sources.",
    ["80/TCP"],
    y("""
    apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata:
      name: red-not-from-blue
    spec:
      applyOnForward: true
      selector: color == 'red'
      ingress:
        - action: Deny
          source:
            selector: color == 'blue'
        - action: Allow
    """),
    ingress=lambda s, d, p: not (red(d) and blue(s)),
)


# ---------------------------------------------------------------------------------------------------------------------


def main():
    names = set()
    for c in CASES:
        assert c["name"] not in names, c["name"]
        names.add(c["name"])
        folder = os.path.join(HERE, c["name"])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "policies.yaml"), "w") as f:
            f.write(f"# Policies in force for calico-policy/{c['name']}. Generated by ../generate.py; see expect.json "
                    "for the source.\n---\n")
            f.write(c["policies"])
        allowed = []
        pods = sorted(PODS)
        for s in pods:
            for d in pods:
                if s == d:
                    continue
                for p in c["ports"]:
                    if c["allowed"](s, d, p):
                        allowed.append([s, d, p])
        doc = {"ports": c["ports"], "allowed": allowed, "source": c["source"]}
        with open(os.path.join(folder, "expect.json"), "w") as f:
            f.write("{\n")
            f.write(f' "ports": {json.dumps(c["ports"])},\n')
            f.write(' "allowed": [')
            f.write(",".join("\n  " + json.dumps(a) for a in allowed))
            f.write("\n ],\n" if allowed else "],\n")
            f.write(f' "source": {json.dumps(c["source"])}\n')
            f.write("}\n")
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
