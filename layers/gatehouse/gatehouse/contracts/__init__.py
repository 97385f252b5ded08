"""Typed request models: what every route of every surface accepts, one module per surface.

`fields` holds the field markers (each a `validation` rule, with its JSON schema), `base` the
`RequestModel` every model derives from (trimming, absence, the translation of pydantic's errors
to `Violation`s). A route receives its models through `gatehouse.web.deps.Body[...]` and
`Query[...]`, whatever the body's encoding, and hands them to its service as they are (this
package ranks below `gatehouse.services`: it imports no service).
"""
