from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import JSONB
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import SmallInt
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Check
from piccolo.constraints import Unique
from piccolo.table import Table


class Base(Table, tablename="base", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Booking(Table, tablename="booking", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class RoomType(Table, tablename="room_type", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-07T22:26:25:989991"
VERSION = "1.38.0"
DESCRIPTION = "room types, rooms per type and night, rooms of a booking"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sojourn", description=DESCRIPTION
    )

    manager.add_table(
        class_name="RoomNight", tablename="room_night", schema=None, columns=None
    )

    manager.add_table(
        class_name="RoomType", tablename="room_type", schema=None, columns=None
    )

    manager.add_table(
        class_name="BookingRoom",
        tablename="booking_room",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="RoomNight",
        tablename="room_night",
        column_name="base",
        db_column_name="base",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Base,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomNight",
        tablename="room_night",
        column_name="room_type",
        db_column_name="room_type",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": RoomType,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomNight",
        tablename="room_night",
        column_name="night",
        db_column_name="night",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomNight",
        tablename="room_night",
        column_name="rooms",
        db_column_name="rooms",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomNight",
        tablename="room_night",
        column_name="taken_rooms",
        db_column_name="taken_rooms",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="base",
        db_column_name="base",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Base,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="code",
        db_column_name="code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="name_zh",
        db_column_name="name_zh",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="name_en",
        db_column_name="name_en",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 60,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="beds_per_room",
        db_column_name="beds_per_room",
        column_class_name="SmallInt",
        column_class=SmallInt,
        params={
            "default": 1,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="accessible",
        db_column_name="accessible",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="price_fen",
        db_column_name="price_fen",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="price_per",
        db_column_name="price_per",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
            "default": "person",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum("PricePer", {"person": "person", "room": "room"}),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="price_period",
        db_column_name="price_period",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
            "default": "night",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum("PricePeriod", {"night": "night", "month": "month"}),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoomType",
        tablename="room_type",
        column_name="sort_order",
        db_column_name="sort_order",
        column_class_name="SmallInt",
        column_class=SmallInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="BookingRoom",
        tablename="booking_room",
        column_name="booking",
        db_column_name="booking",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Booking,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="BookingRoom",
        tablename="booking_room",
        column_name="room_type",
        db_column_name="room_type",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": RoomType,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="BookingRoom",
        tablename="booking_room",
        column_name="rooms",
        db_column_name="rooms",
        column_class_name="SmallInt",
        column_class=SmallInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="RoomNight",
        tablename="room_night",
        constraint_name="room_night_one_row_per_type_and_night",
        constraint_class=Unique,
        params={"columns": ["room_type", "night"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="RoomNight",
        tablename="room_night",
        constraint_name="room_night_taken_within_rooms",
        constraint_class=Check,
        params={"condition": "taken_rooms >= 0 AND taken_rooms <= rooms"},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="RoomType",
        tablename="room_type",
        constraint_name="room_type_code_once_per_base",
        constraint_class=Unique,
        params={"columns": ["base", "code"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="RoomType",
        tablename="room_type",
        constraint_name="room_type_beds_per_room",
        constraint_class=Check,
        params={"condition": "beds_per_room BETWEEN 1 AND 8"},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="RoomType",
        tablename="room_type",
        constraint_name="room_type_price_not_negative",
        constraint_class=Check,
        params={"condition": "price_fen IS NULL OR price_fen >= 0"},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="BookingRoom",
        tablename="booking_room",
        constraint_name="booking_room_once_per_type",
        constraint_class=Unique,
        params={"columns": ["booking", "room_type"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="BookingRoom",
        tablename="booking_room",
        constraint_name="booking_room_rooms_positive",
        constraint_class=Check,
        params={"condition": "rooms > 0"},
        schema=None,
    )

    manager.add_column(
        table_class_name="WaitlistEntry",
        tablename="waitlist_entry",
        column_name="rooms",
        db_column_name="rooms",
        column_class_name="JSONB",
        column_class=JSONB,
        params={
            "default": list,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
