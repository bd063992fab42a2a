"""Privacy: named private individuals become their role in exports and public pages."""

from __future__ import annotations

import re
from dataclasses import replace

from claimledger.model import Actor, Attribution, Claim


def _role_for_actor(actor: Actor) -> str:
    return {"victim": "a victim", "witness": "a witness", "perpetrator": "a perpetrator"}.get(actor.role, "a private individual")


def redact_claim(claim: Claim) -> Claim:
    """The claim with private names replaced by roles in actors, attributions and summary.

    Evidence spans stay verbatim: they quote a published text and must match it exactly.
    """
    names: dict[str, str] = {}
    actors = []
    for actor in claim.actors:
        if actor.private:
            role = _role_for_actor(actor)
            names[actor.text] = role
            actors.append(replace(actor, text=role))
        else:
            actors.append(actor)
    attributions: list[Attribution] = []
    for attribution in claim.attributions:
        if attribution.private:
            role = attribution.role or "a private individual"
            names[attribution.source] = role
            attributions.append(replace(attribution, source=role))
        else:
            attributions.append(attribution)
    summary = claim.summary
    people = {a.text: _role_for_actor(a) for a in claim.actors if a.private}
    for name, role in sorted(names.items(), key=lambda kv: -len(kv[0])):
        summary = summary.replace(name, role)
    # Then each private person's name and surname alone, wherever the summary quotes them.
    for name, role in sorted(people.items(), key=lambda kv: -len(kv[0])):
        summary = summary.replace(name, role)
        for part in name.split():
            if len(part) > 3 and part[0].isupper():
                summary = re.sub(rf"\b{re.escape(part)}\b", role, summary)
    return replace(claim, actors=tuple(actors), attributions=tuple(attributions), summary=summary)
