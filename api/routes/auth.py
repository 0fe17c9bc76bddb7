"""Sign-in: the OAuth2 password flow that hands out bearer tokens."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from api.auth import TokenClaims, issue_token
from api.deps import SessionDep, UserDep, signed_in
from api.errors import problem_responses
from api.schemas import SignInForm, Token
from api.transaction import SignedIn, TransactionRoute
from blangko import sessions, signin
from blangko.errors import Unauthenticated
from web.security import client_address

router = APIRouter(route_class=TransactionRoute, prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=Token,
    summary="Sign in and get a bearer token",
    description="OAuth2 password flow: send `username` and `password` as an "
    "`application/x-www-form-urlencoded` form. Use the returned `access_token` as "
    "`Authorization: Bearer <token>` until it expires (`expires_in` seconds). After 5 failed "
    "attempts for one username (from any address), or 20 from one address (for any "
    "usernames), sign-in is refused with 429 and `Retry-After`; the wait doubles with each "
    "further failure.",
    responses=problem_responses(401, 422, 429),
)
def sign_in(request: Request, form: Annotated[SignInForm, Form()]) -> Token:
    client = client_address(request)
    user = signin.sign_in(username=form.username, password=form.password, client=client)
    if user is None:
        raise Unauthenticated(
            "Nama pengguna atau kata sandi salah. Periksa huruf besar/kecil pada kata sandi."
        )
    issued = issue_token(user, client=client)
    return Token(access_token=issued.token, expires_in=issued.expires_in)


async def _claims(me: Annotated[SignedIn, Depends(signed_in)]) -> TokenClaims:
    return TokenClaims(user_id=me.user_id, session_id=me.session_id)


@router.post(
    "/logout",
    status_code=204,
    summary="Sign out: the token stops working",
    description="Ends the token's session on the server: the token (and every copy of it) is "
    "refused from now on. Sign in again for a new token.",
    responses=problem_responses(401),
)
def sign_out(
    user: UserDep, claims: Annotated[TokenClaims, Depends(_claims)], session: SessionDep
) -> Response:
    sessions.end(session=session, session_id=claims.session_id)
    return Response(status_code=204)
