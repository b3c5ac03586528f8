import type { PolicyResource } from "@pulumi/policy";
import { REGISTRY } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { ofType, reportProblems } from "../shared/readers";
import { ALL_CONTAINERS, containersOf, isWorkloadType, stackWorkloads } from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-05: images from the stack's registry, pinned by digest where required

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The registry host of an image reference; Docker Hub when the first part is not a host. */
function imageHost(image: string): string {
  const slash = image.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = image.slice(0, slash);
  const isHost = first.includes(".") || first.includes(":") || first === "localhost";
  return isHost ? first.toLowerCase() : "docker.io";
}

/** `<registryName>.azurecr.io` of every registry of the stack that names itself. */
function stackLoginServers(resources: PolicyResource[]): string[] {
  return ofType(resources, REGISTRY).flatMap((registry) => {
    const name = (registry.props as { registryName?: string }).registryName;
    return typeof name === "string" ? [`${name.toLowerCase()}.azurecr.io`] : [];
  });
}

function imageFindings(
  image: unknown,
  loginServers: string[],
  requireDigest: boolean,
  path: string,
): string[] {
  if (typeof image !== "string" || image.trim() === "") {
    return [`sets no image; set ${path}.image to an image in the stack's registry`];
  }
  const findings: string[] = [];
  if (!loginServers.includes(imageHost(image))) {
    const where =
      loginServers.length > 0
        ? loginServers.join(" or ")
        : "the stack's registry (the stack declares no containerregistry:Registry with a registryName)";
    findings.push(
      `uses image '${image}' from outside the stack's registry; push it to ${where} and reference it from there in ${path}.image`,
    );
  }
  if (requireDigest && !DIGEST.test(image)) {
    findings.push(
      `uses image '${image}' without a digest; pin it as <registry>/<repository>@sha256:<digest> in ${path}.image`,
    );
  }
  return findings;
}

export const k8s05 = stackPolicy(
  {
    id: "K8S-05",
    seed: "10",
    level: "P",
    rule: "Stack: images come from the stack's registry; in prod (config requireDigest) pinned by digest",
  },
  {
    resourceTypes: (type) => isWorkloadType(type) || type === REGISTRY,
    configSchema: { properties: { requireDigest: { type: "boolean", default: false } } },
    validateStack: (args, reportViolation) => {
      const requireDigest = args.getConfig<{ requireDigest?: boolean }>().requireDigest ?? false;
      const workloads = stackWorkloads(args.resources);
      if (workloads.length === 0) return;
      const loginServers = stackLoginServers(args.resources);
      for (const { resource, workload } of workloads) {
        for (const { container, label, path } of containersOf(workload, ALL_CONTAINERS)) {
          const findings = imageFindings(container.image, loginServers, requireDigest, path);
          reportProblems(reportViolation, `${workload.label} ${label}`, findings, resource.urn);
        }
      }
    },
  },
);
