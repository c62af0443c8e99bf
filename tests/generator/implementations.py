"""Tiny implementations of the feature contracts' generated interfaces, as the tests serve them: source
text, written beside the generated packages and type-checked with them (mypy --strict)."""

from __future__ import annotations

PARAMETERS = """
from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from gen_parameters.api.default import DefaultApi
from gen_parameters.api.item_store import ItemStoreApi
from gen_parameters.models import Echo, Kind


class Items(ItemStoreApi[None]):
    async def get_item_by_id(self, context: None, item_id: int, verbose: bool = False) -> Echo:
        return Echo.model_validate({"item_id": item_id, "verbose": verbose})

    async def list_items(
        self,
        context: None,
        x_trace_id: UUID,
        limit: int = 20,
        page_size: float | None = None,
        kind: Kind | None = None,
        tags: list[str] | None = None,
        ids: list[int] | None = None,
        since: datetime | None = None,
        day: date | None = None,
        mode: Literal["fast", "slow"] | None = None,
        class_: str | None = None,
        x_flags: list[str] | None = None,
        session: str | None = None,
    ) -> Echo:
        return Echo.model_validate(
            {
                "x_trace_id": repr(x_trace_id),
                "limit": limit,
                "page_size": page_size,
                "kind": repr(kind),
                "tags": tags,
                "ids": ids,
                "since": repr(since),
                "day": repr(day),
                "mode": mode,
                "class": class_,
                "x_flags": x_flags,
                "session": session,
            }
        )


class Default(DefaultApi[None]):
    async def ping(self, context: None) -> None:
        return None
"""

RESPONSES = """
from __future__ import annotations

from gen_responses.api.pets import (
    CreatePet200,
    CreatePet201,
    CreatePetResult,
    ListPets200,
    ListPetsDefault,
    ListPetsResult,
    PetsApi,
    TagPet200,
    TagPet204,
    TagPetResult,
)
from gen_responses.models import CreatePetRequest, Error, GetPetResponse, Pet


class Pets(PetsApi[None]):
    def __init__(self) -> None:
        self.store: dict[int, Pet] = {}

    async def list_pets(self, context: None) -> ListPetsResult:
        if not self.store:
            return ListPetsDefault(status=503, body=Error(message="no pets yet"))
        return ListPets200(body=list(self.store.values()), x_total=len(self.store))

    async def create_pet(self, context: None, body: CreatePetRequest) -> CreatePetResult:
        for pet in self.store.values():
            if pet.name == body.name:
                return CreatePet200(body=pet)
        pet = Pet(id=len(self.store) + 1, name=body.name)
        self.store[pet.id] = pet
        return CreatePet201(body=pet, location=f"/pets/{pet.id}")

    async def get_pet(self, context: None, pet_id: int) -> GetPetResponse:
        return GetPetResponse(pet=self.store.get(pet_id), age=3)

    async def tag_pet(self, context: None, pet_id: int, body: Pet | None) -> TagPetResult:
        return TagPet204() if body is None else TagPet200(body=body)

    async def delete_pet(self, context: None, pet_id: int) -> None:
        self.store.pop(pet_id, None)
"""

DRIFTED = """
from __future__ import annotations

from gen_responses.api.pets import CreatePet201, CreatePetResult, PetsApi
from gen_responses.models import CreatePetRequest, Pet


class Drifted(PetsApi[None]):
    async def create_pet(self, context: None, body: CreatePetRequest) -> Pet:  # the result, not a Pet
        return Pet(id=1, name=body.name)

    async def get_pet(self, context: None, pet_id: str) -> None:  # pet_id is an integer
        return None

    def unused(self) -> CreatePetResult:
        return CreatePet201(body=Pet(id=1, name="x"), location=3)  # Location is text
"""

DISCOVERY = """
from __future__ import annotations

from gen_discovery.api.default import DefaultApi, HeadCatalog200
from gen_discovery.models import Linkset


class Catalog(DefaultApi[None]):
    async def head_catalog(self, context: None) -> HeadCatalog200:
        return HeadCatalog200(link='<https://x.example/.well-known/api-catalog>; rel="api-catalog"')

    async def get_catalog(self, context: None) -> Linkset:
        return Linkset(linkset=[{"anchor": "https://x.example/"}])
"""

IMPLEMENTATIONS = {"parameters": PARAMETERS, "responses": RESPONSES, "discovery": DISCOVERY, "drifted": DRIFTED}
