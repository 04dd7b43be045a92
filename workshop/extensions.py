"""Extension objects, created unbound so the factory can wire them to any app."""

from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from workshop.csrf import CSRFProtect
from workshop.login import LoginManager
from workshop.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
