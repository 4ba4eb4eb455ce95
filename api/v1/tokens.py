"""`/v1/tokens`: personal API tokens — list, create (shown once), revoke.

Creating a token needs the browser's session (or the command line, `python -m pipeline_core
api-token create`): a token cannot mint more tokens, so a leaked token cannot outlive its own
expiry or revocation. Listing and revoking work with either. A super-admin may list, create and
revoke the tokens of anyone in their workspace (`user_id`); anyone else only their own, and
another person's token is 404 to them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.v1.answers import send
from api.v1.auth import CallerDep, NowDep
from api.v1.problems import ProblemError
from api.v1.text import Text
from pipeline_core.app import api_access

router = APIRouter(prefix="/tokens", tags=["tokens"])

UserId = Annotated[
    int | None, Query(ge=0, le=2**31 - 1, description="super-admins: someone else's (0: everyone's)")
]


class ApiToken(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    username: str
    name: str
    prefix: str = Field(description="the token's first characters, to recognise it")
    created_by: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokens(BaseModel):
    items: list[ApiToken]


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text = Field(min_length=1, max_length=100, description="what uses it, e.g. 'booking site'")
    days: int = Field(default=api_access.DEFAULT_DAYS, ge=1, le=api_access.MAX_DAYS, description="lifetime")
    user_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="super-admins: for someone else"
    )


class IssuedToken(BaseModel):
    token: str = Field(description="shown this once: keep it secret, send it as `Authorization: Bearer …`")
    info: ApiToken


@router.get("", response_model=ApiTokens, summary="Your API tokens (super-admins: anyone's)")
def list_tokens(request: Request, caller: CallerDep, user_id: UserId = None) -> Response:
    found = api_access.tokens_of(caller.viewer, user_id)
    return send(request, ApiTokens(items=[ApiToken.model_validate(t) for t in found]))


@router.post(
    "", response_model=IssuedToken, status_code=201, summary="Create a token (signed-in browser only)"
)
def create(request: Request, caller: CallerDep, now: NowDep, body: NewToken) -> Response:
    if caller.token_id is not None:
        raise ProblemError(
            403, "forbidden", "A token cannot create tokens: sign in, or use the command line."
        )
    issued = api_access.create_token(caller.viewer, body.name, days=body.days, user_id=body.user_id, now=now)
    answer = IssuedToken(token=issued.token, info=ApiToken.model_validate(issued.info))
    return Response(
        answer.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@router.delete("/{token_id}", response_model=ApiToken, summary="Revoke a token")
def revoke(caller: CallerDep, now: NowDep, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    revoked = api_access.revoke_token(caller.viewer, token_id, now=now)
    return Response(
        ApiToken.model_validate(revoked).model_dump_json(),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
