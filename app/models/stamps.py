"""The data stamp: one row whose value changes with every committed change to the data pages are drawn from."""

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DataStamp(db.Model):
    """A random value replaced by each transaction that changed data (app.data_stamp), so a page kept under one
    value is known to be drawn from the data as it still is."""

    __tablename__ = "data_stamps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger)
