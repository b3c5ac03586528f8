import type { PolicyResource } from "@pulumi/policy";
import { GITHUB_TYPES } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { ofType } from "../shared/readers";
import { arrayAt, objectAt, takesInput } from "./readers";

// ---------------------------------------------------------------------------------------------
// GH-03: teams are managed from Entra ID groups

/** GitHub's slug of a team name: lower case, runs of other characters as one hyphen. */
function teamSlug(name: unknown): string | undefined {
  if (typeof name !== "string") return undefined;
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function hasEntraGroup(mapping: PolicyResource): boolean {
  return arrayAt(mapping.props.groups).some((group) => {
    const groupId = objectAt(group)?.groupId;
    return typeof groupId === "string" && groupId.trim() !== "";
  });
}

export const gh03 = stackPolicy(
  {
    id: "GH-03",
    seed: "1",
    level: "M",
    rule: "Stack: every Team the stack manages has a TeamSyncGroupMapping (Entra ID group)",
  },
  {
    resourceTypes: [GITHUB_TYPES.team, GITHUB_TYPES.teamSyncGroupMapping],
    validateStack: (args, reportViolation) => {
      const mappings = ofType(args.resources, GITHUB_TYPES.teamSyncGroupMapping);
      for (const team of ofType(args.resources, GITHUB_TYPES.team)) {
        const ofTeam = mappings.filter((mapping) =>
          takesInput(mapping, "teamSlug", team, (target) => teamSlug(target.props.name)),
        );
        if (ofTeam.length === 0) {
          reportViolation(
            `team '${team.name}' has no TeamSyncGroupMapping; add a github.TeamSyncGroupMapping with ` +
              `teamSlug: <team>.slug and groups: [{ groupId, groupName, groupDescription }] naming the ` +
              `Entra ID group that owns its membership`,
            team.urn,
          );
          continue;
        }
        if (!ofTeam.some(hasEntraGroup)) {
          reportViolation(
            `TeamSyncGroupMapping '${ofTeam[0].name}' of team '${team.name}' names no Entra ID group; ` +
              `set groups: [{ groupId: <Entra ID group object id>, groupName, groupDescription }]`,
            ofTeam[0].urn,
          );
        }
      }
    },
  },
);
